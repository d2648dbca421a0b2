#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "common/status.h"
#include "config/config.h"
#include "http/client.h"

namespace smsgw::smsctl {

// smsctl's side of the customer REST API (smsgw-api), for `send`: the address is [api] listen
// (a wildcard host becomes loopback) unless --api-address gives one.
class ApiClient {
 public:
  ApiClient(std::string host, int port, std::string api_key)
      : host_(std::move(host)), port_(port), key_(std::move(api_key)) {}
  static Result<ApiClient> FromConfig(const config::Config& config, const std::string& address_flag,
                                      const std::string& api_key);

  // POST `body` as JSON to `target` with the key as bearer token.
  Result<http::Response> Post(const std::string& target, const nlohmann::json& body,
                              const std::string& idempotency_key = "") const;
  const std::string& host() const { return host_; }
  int port() const { return port_; }

 private:
  std::string host_;
  int port_;
  std::string key_;
};

// The Status for an HTTP error answer of the API: its problem+json code and detail, with the
// kind the status code means (400/413 invalid input, 401 unauthenticated, 402 insufficient
// funds, 403 disabled, 404, 409, 429/503 unavailable, else internal), so smsctl exits with
// the code smsctl(1) documents.
Status ProblemStatus(const http::Response& response);

}  // namespace smsgw::smsctl
