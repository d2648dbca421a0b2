#include "api/app.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <exception>

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

// One request on its way through the app; shared by the steps that may run on other threads.
struct App::Exchange {
  HttpRequest request;
  Respond respond;
  std::string request_id;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  RouteMatch match;
  const Entry* entry = nullptr;
  std::optional<Account> account;
  std::atomic<bool> answered{false};

  // Sends the answer with the common headers and logs it; later calls are ignored.
  void Finish(HttpResponse response) noexcept {
    if (answered.exchange(true)) return;
    try {
      response.Set("X-Request-ID", request_id.empty() ? "-" : request_id);
      response.Set("Cache-Control", "no-store");
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      const auto level = response.status >= 500   ? spdlog::level::err
                         : response.status >= 400 ? spdlog::level::info
                                                  : spdlog::level::debug;
      if (spdlog::should_log(level)) {
        spdlog::log(level, "{} {} -> {} ({:.1f} ms) account={} request_id={}{}{}", request.method, request.Path(),
                    response.status, ms, account ? account->id : 0, request_id,
                    response.log_detail.empty() ? "" : ": ", response.log_detail);
      }
    } catch (...) {
      // Logging must not turn an answer into no answer.
    }
    respond(std::move(response));
  }

  // Runs `step`; an exception from it becomes a 500 answer.
  template <typename Fn>
  void Guard(Fn&& step) noexcept {
    try {
      step();
    } catch (const std::exception& e) {
      Finish(ProblemResponse(Status::Internal(std::string("uncaught exception: ") + e.what())));
    } catch (...) {
      Finish(ProblemResponse(Status::Internal("uncaught exception of unknown type")));
    }
  }
};

App::App(ApiDeps deps) : deps_(std::move(deps)) {
  Add("GET", "/healthz", {.blocking = &HandleHealthz});
  Add("GET", "/readyz", {.blocking = &HandleReadyz, .offload = true});
  Add("POST", "/v1/messages", {.async = &HandleSendMessage, .needs_key = true});
  Add("POST", "/v1/messages/batch", {.async = &HandleSendBatch, .needs_key = true});
  Add("GET", "/v1/messages/export", {.async = &HandleExport, .needs_key = true});  // before {id}
  Add("GET", "/v1/messages/{id}", {.blocking = &HandleGetMessage, .needs_key = true, .offload = true});
  Add("GET", "/v1/balance", {.blocking = &HandleBalance, .needs_key = true, .offload = true});
  Add("GET", "/v1/messages", {.blocking = &HandleListMessages, .needs_key = true, .offload = true});
  Add("GET", "/v1/stats", {.blocking = &HandleStats, .needs_key = true, .offload = true});
}

void App::Add(std::string method, std::string_view pattern, Entry entry) {
  router_.Add(std::move(method), pattern);
  entries_.push_back(entry);
}

void App::Handle(HttpRequest request, Respond respond) noexcept {
  std::shared_ptr<Exchange> x;
  try {
    x = std::make_shared<Exchange>();
    x->request = std::move(request);
    x->respond = std::move(respond);
  } catch (...) {  // out of memory: answer without the app's trimmings
    HttpResponse r;
    r.status = 503;
    respond(std::move(r));
    return;
  }
  x->Guard([&] {
    x->request_id = RequestIdFor(x->request.Get("X-Request-ID"));
    Dispatch(x);
  });
}

void App::Dispatch(const std::shared_ptr<Exchange>& x) {
  const HttpRequest& request = x->request;
  switch (request.defect) {
    case HttpRequest::Defect::kNone:
      break;
    case HttpRequest::Defect::kBodyTooLarge:
      return x->Finish(ProblemResponse(kPayloadTooLarge,
                                       "body: larger than " + std::to_string(deps_.config->max_body_bytes) + " bytes"));
    case HttpRequest::Defect::kMalformed:
      return x->Finish(ProblemResponse(KindFor(ErrorCode::kInvalidArgument), "malformed HTTP request"));
  }
  x->match = router_.Find(request.method, request.Path());
  if (x->match.kind == RouteMatch::Kind::kNotFound) {
    return x->Finish(ProblemResponse(kRouteNotFound, "no such resource: " + std::string(request.Path())));
  }
  if (x->match.kind == RouteMatch::Kind::kMethodNotAllowed) {
    HttpResponse r =
        ProblemResponse(kMethodNotAllowed, request.method + " is not allowed here; use " + x->match.allow);
    r.Set("Allow", x->match.allow);
    return x->Finish(std::move(r));
  }
  x->entry = &entries_.at(x->match.index);
  if (!x->entry->needs_key) return Run(x, false);

  std::optional<Result<Account>> cached = deps_.auth->TryCached(request.Get("Authorization"));
  if (cached) {
    if (!cached->ok()) return x->Finish(ProblemResponse(cached->status()));
    x->account = std::move(*cached).value();
    return Run(x, false);
  }
  deps_.offload([this, x] {
    x->Guard([&] {
      Result<Account> account = deps_.auth->Authenticate(x->request.Get("Authorization"));
      if (!account.ok()) return x->Finish(ProblemResponse(account.status()));
      x->account = std::move(account).value();
      Run(x, true);
    });
  });
}

void App::Run(const std::shared_ptr<Exchange>& x, bool offloaded) {
  const Entry& entry = *x->entry;
  const Call call{x->request, x->match.params, x->account ? &*x->account : nullptr};
  if (entry.async != nullptr) {
    return entry.async(deps_, call, [x](HttpResponse r) { x->Finish(std::move(r)); });
  }
  if (entry.offload && !offloaded) {
    deps_.offload([this, x] { x->Guard([&] { Run(x, true); }); });
    return;
  }
  x->Finish(entry.blocking(deps_, call));
}

}  // namespace smsgw::api
