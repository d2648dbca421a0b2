#include "api/app.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "api/problem.h"
#include "sms/uuid7.h"

namespace smsgw::api {

constexpr size_t kMaxRequestIdLength = 128;

std::string RequestIdFor(std::optional<std::string_view> header) {
  if (header && !header->empty() && header->size() <= kMaxRequestIdLength) {
    bool sane = true;
    for (char c : *header) sane = sane && c > 0x20 && c < 0x7F;
    if (sane) return std::string(*header);
  }
  return sms::NewUuidV7();
}

App::App(ApiDeps deps) : deps_(std::move(deps)) {
  Add("GET", "/healthz", &HandleHealthz, false);
  Add("GET", "/readyz", &HandleReadyz, false);
  Add("POST", "/v1/messages", &HandleSendMessage, true);
  Add("GET", "/v1/messages/{id}", &HandleGetMessage, true);
  Add("GET", "/v1/balance", &HandleBalance, true);
}

void App::Add(std::string method, std::string_view pattern, HandlerFn handler, bool needs_key) {
  router_.Add(std::move(method), pattern);
  entries_.push_back({handler, needs_key});
}

HttpResponse App::Dispatch(const HttpRequest& request, int64_t* account_id) {
  switch (request.defect) {
    case HttpRequest::Defect::kNone:
      break;
    case HttpRequest::Defect::kBodyTooLarge:
      return ProblemResponse(kPayloadTooLarge,
                             "body: larger than " + std::to_string(deps_.config->max_body_bytes) + " bytes");
    case HttpRequest::Defect::kMalformed:
      return ProblemResponse(KindFor(ErrorCode::kInvalidArgument), "malformed HTTP request");
  }
  RouteMatch match = router_.Find(request.method, request.Path());
  if (match.kind == RouteMatch::Kind::kNotFound) {
    return ProblemResponse(kRouteNotFound, "no such resource: " + std::string(request.Path()));
  }
  if (match.kind == RouteMatch::Kind::kMethodNotAllowed) {
    HttpResponse r = ProblemResponse(kMethodNotAllowed, request.method + " is not allowed here; use " + match.allow);
    r.Set("Allow", match.allow);
    return r;
  }
  const Entry& entry = entries_.at(match.index);
  Call call{request, match.params, nullptr};
  Result<Account> account = Status::Unauthenticated("no key checked");
  if (entry.needs_key) {
    account = deps_.auth->Authenticate(request.Get("Authorization"));
    if (!account.ok()) return ProblemResponse(account.status());
    call.account = &account.value();
    *account_id = account->id;
  }
  return entry.handler(deps_, call);
}

HttpResponse App::Handle(HttpRequest request) noexcept {
  const auto start = std::chrono::steady_clock::now();
  std::string request_id;
  HttpResponse response;
  int64_t account_id = 0;
  try {
    request_id = RequestIdFor(request.Get("X-Request-ID"));
    response = Dispatch(request, &account_id);
  } catch (const std::exception& e) {
    response = ProblemResponse(Status::Internal(std::string("uncaught exception: ") + e.what()));
  } catch (...) {
    response = ProblemResponse(Status::Internal("uncaught exception of unknown type"));
  }
  try {
    if (request_id.empty()) request_id = "-";
    response.Set("X-Request-ID", request_id);
    response.Set("Cache-Control", "no-store");
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const auto level = response.status >= 500   ? spdlog::level::err
                       : response.status >= 400 ? spdlog::level::info
                                                : spdlog::level::debug;
    if (spdlog::should_log(level)) {
      spdlog::log(level, "{} {} -> {} ({:.1f} ms) account={} request_id={}{}{}", request.method, request.Path(),
                  response.status, ms, account_id, request_id, response.log_detail.empty() ? "" : ": ",
                  response.log_detail);
    }
  } catch (...) {
    // Logging must not turn an answer into no answer.
  }
  return response;
}

}  // namespace smsgw::api
