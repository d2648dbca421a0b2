#include "api_client.h"

#include "common/host_port.h"

namespace smsgw::smsctl {

Result<ApiClient> ApiClient::FromConfig(const config::Config& config, const std::string& address_flag,
                                        const std::string& api_key) {
  if (api_key.empty()) return Status::InvalidArgument("an API key is needed: --api-key or $SMSGW_API_KEY");
  Result<HostPort> addr = ParseHostPort(address_flag.empty() ? config.api.listen : address_flag);
  if (!addr.ok()) return addr.status();
  return ApiClient(ConnectHost(*addr), addr->port, api_key);
}

Result<http::Response> ApiClient::Post(const std::string& target, const nlohmann::json& body,
                                       const std::string& idempotency_key) const {
  http::Headers headers{{"Authorization", "Bearer " + key_}, {"Content-Type", "application/json"}};
  if (!idempotency_key.empty()) headers.emplace_back("Idempotency-Key", idempotency_key);
  return http::Request(host_, port_, "POST", target, body.dump(), headers, std::chrono::seconds(60));
}

Status ProblemStatus(const http::Response& response) {
  nlohmann::json problem = nlohmann::json::parse(response.body, nullptr, false);
  std::string text = "HTTP " + std::to_string(response.status);
  if (problem.is_object()) {
    text += " " + problem.value("code", std::string("error"));
    if (problem.contains("detail") && problem["detail"].is_string())
      text += ": " + problem["detail"].get<std::string>();
  }
  switch (response.status) {
    case 400:
    case 413:
    case 415: return Status::InvalidArgument(text);
    case 401: return Status::Unauthenticated(text);
    case 402: return Status::InsufficientFunds(text);
    case 403: return Status::PermissionDenied(text);
    case 404: return Status::NotFound(text);
    case 409: return Status::Conflict(text);
    case 429:
    case 503: return Status::Unavailable(text);
    default: return Status::Internal(text);
  }
}

}  // namespace smsgw::smsctl
