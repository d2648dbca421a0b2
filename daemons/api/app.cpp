#include "api/app.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <exception>
#include <mutex>

#include "api/idempotency_gate.h"
#include "api/kannel_protocol.h"
#include "api/rate_limiter.h"
#include "sms/uuid7.h"

namespace smsgw::api {

constexpr size_t kMaxRequestIdLength = 128;
constexpr std::chrono::milliseconds kDeadlineTick{100};

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
  bool kannel = false;  // errors in Kannel's text form
  std::optional<Account> account;
  std::atomic<bool> answered{false};
  RequestMetrics* metrics = nullptr;

  // Sends the answer with the common headers and logs it; later calls are ignored.
  void Finish(HttpResponse response) noexcept {
    if (answered.exchange(true)) return;
    try {
      response.Set("X-Request-ID", request_id.empty() ? "-" : request_id);
      response.Set("Cache-Control", "no-store");
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      if (metrics != nullptr) {
        metrics->Observe(entry != nullptr ? match.index : RequestMetrics::kNoRoute, response.status, ms / 1000);
      }
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

  // A problem answer in the route's style.
  HttpResponse Problem(const ProblemKind& kind, std::string detail) const {
    return kannel ? KannelProblem(kind, std::move(detail)) : ProblemResponse(kind, std::move(detail));
  }
  HttpResponse Problem(const Status& status) const {
    if (!kannel) return ProblemResponse(status);
    HttpResponse r = KannelProblem(KindFor(status.code()), status.message());
    if (r.status >= 500) r.log_detail = status.ToString();
    return r;
  }

  // Runs `step`; an exception from it becomes a 500 answer.
  template <typename Fn>
  void Guard(Fn&& step) noexcept {
    try {
      step();
    } catch (const std::exception& e) {
      Finish(Problem(Status::Internal(std::string("uncaught exception: ") + e.what())));
    } catch (...) {
      Finish(Problem(Status::Internal("uncaught exception of unknown type")));
    }
  }
};

// Requests past their deadline, answered 503 by a sweep every kDeadlineTick. Deadlines are the
// arrival plus one fixed timeout, so the list is in deadline order and a sweep only looks at its
// front: a lock and a push per request instead of a timer each. Shared with the sweep's
// scheduled task, which may outlive the App.
struct App::Deadlines {
  std::mutex mu;
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::weak_ptr<Exchange>>> due;  // guarded by mu

  void Watch(const std::shared_ptr<Exchange>& x, std::chrono::steady_clock::time_point at) {
    std::lock_guard lock(mu);
    due.emplace_back(at, x);
  }

  void Sweep() {
    std::vector<std::shared_ptr<Exchange>> late;
    {
      std::lock_guard lock(mu);
      const auto now = std::chrono::steady_clock::now();
      while (!due.empty() && due.front().first <= now) {
        if (std::shared_ptr<Exchange> x = due.front().second.lock(); x && !x->answered) late.push_back(std::move(x));
        due.pop_front();
      }
    }
    for (const std::shared_ptr<Exchange>& x : late) {
      HttpResponse r =
          x->Problem(KindFor(ErrorCode::kUnavailable), "a service smsgw depends on is unavailable; retry later");
      r.log_detail = "request deadline passed";
      x->Finish(std::move(r));
    }
  }

  // Sweeps every kDeadlineTick through `after`, for as long as `after` runs tasks.
  static void Schedule(std::shared_ptr<Deadlines> self,
                       std::function<void(std::chrono::milliseconds, std::function<void()>)> after) {
    after(kDeadlineTick, [self, after] {
      self->Sweep();
      Schedule(self, after);
    });
  }
};

App::App(ApiDeps deps) : deps_(std::move(deps)), deadlines_(std::make_shared<Deadlines>()) {
  if (deps_.after) Deadlines::Schedule(deadlines_, deps_.after);
  Add("GET", "/healthz", {.blocking = &HandleHealthz});
  Add("GET", "/readyz", {.blocking = &HandleReadyz});
  Add("GET", "/v1/openapi.json", {.blocking = &HandleOpenApi});
  Add("POST", "/v1/messages", {.async = &HandleSendMessage, .auth = Auth::kBearer, .sends = true});
  Add("POST", "/v1/messages/batch", {.async = &HandleSendBatch, .auth = Auth::kBearer, .sends = true});
  Add("GET", "/v1/messages/{id}", {.blocking = &HandleGetMessage, .auth = Auth::kBearer, .offload = true});
  Add("GET", "/v1/balance", {.blocking = &HandleBalance, .auth = Auth::kBearer, .offload = true});
  Add("GET", "/cgi-bin/sendsms", {.async = &HandleKannelSend, .auth = Auth::kKannel, .sends = true});
  Add("POST", "/cgi-bin/sendsms", {.async = &HandleKannelSend, .auth = Auth::kKannel, .sends = true});
  Add("GET", "/v1/messages", {.blocking = &HandleListMessages, .auth = Auth::kBearer, .offload = true});
  Add("GET", "/v1/messages/export", {.async = &HandleExport, .auth = Auth::kBearer});
  Add("GET", "/v1/stats", {.blocking = &HandleStats, .auth = Auth::kBearer, .offload = true});
  metrics_ = std::make_unique<RequestMetrics>(routes_);
}

void App::Add(std::string method, std::string_view pattern, Entry entry) {
  routes_.emplace_back(method, std::string(pattern));
  router_.Add(std::move(method), pattern);
  entries_.push_back(entry);
}

std::vector<std::pair<std::string, std::string>> App::Routes() const { return routes_; }

void App::Handle(HttpRequest request, Respond respond) noexcept {
  std::shared_ptr<Exchange> x;
  try {
    x = std::make_shared<Exchange>();
    x->request = std::move(request);
    x->respond = std::move(respond);
    x->metrics = metrics_.get();
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
    case HttpRequest::Defect::kHeaderTooLarge:
      return x->Finish(ProblemResponse(
          kHeadersTooLarge, "header fields: larger than " + std::to_string(deps_.config->max_header_bytes) + " bytes"));
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
  x->kannel = x->entry->auth == Auth::kKannel;
  if (x->entry->auth == Auth::kNone) {
    return Run(x, false, deps_.new_id, [x](HttpResponse r) { x->Finish(std::move(r)); });
  }

  // From here the answer may wait on dependencies: whatever happens, it comes by the deadline.
  deadlines_->Watch(x, x->start + std::chrono::milliseconds(deps_.config->request_timeout_ms));

  std::string key;
  if (x->kannel) {
    Result<KannelParams> params = ReadKannelParams(request);
    if (!params.ok()) return x->Finish(KannelReply(400, params.status().message()));
    std::optional<std::string> k = KannelApiKey(*params);
    if (!k) return x->Finish(x->Problem(Status::Unauthenticated("username and password required")));
    key = std::move(*k);
  } else {
    Result<std::string> bearer = ParseBearer(request.Get("Authorization"));
    if (!bearer.ok()) return x->Finish(x->Problem(bearer.status()));
    key = std::move(bearer).value();
  }
  if (std::optional<Result<Account>> cached = deps_.auth->TryCachedKey(key)) {
    if (!cached->ok()) return x->Finish(x->Problem(cached->status()));
    x->account = std::move(*cached).value();
    return Authenticated(x);
  }
  deps_.offload([this, x, key = std::move(key)] {
    x->Guard([&] {
      Result<Account> account = deps_.auth->AuthenticateKey(key);
      if (!account.ok()) return x->Finish(x->Problem(account.status()));
      x->account = std::move(account).value();
      Authenticated(x);
    });
  });
}

void App::Authenticated(const std::shared_ptr<Exchange>& x) {
  const Account& account = *x->account;
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now().time_since_epoch())
                             .count();
  const int64_t wait_ms =
      deps_.limiter == nullptr ? 0 : deps_.limiter->Take(account.id, account.rate_rps, account.rate_burst, now_ms);
  if (wait_ms > 0) {
    HttpResponse r = x->Problem(kRateLimited, "more than the account's requests per second; retry after Retry-After");
    r.Set("Retry-After", std::to_string((wait_ms + 999) / 1000));
    return x->Finish(std::move(r));
  }
  if (x->entry->sends && deps_.admit_sends) {
    if (Status admit = deps_.admit_sends(); !admit.ok()) return x->Finish(x->Problem(admit));
  }
  Respond finish = [x](HttpResponse r) { x->Finish(std::move(r)); };
  std::optional<std::string_view> idem = x->request.Get("Idempotency-Key");
  if (!idem || x->request.method != "POST" || deps_.idempotency == nullptr) {
    return Run(x, false, deps_.new_id, std::move(finish));
  }
  deps_.idempotency->Handle(
      account.id, std::string(*idem), x->request,
      [x](const ProblemKind& kind, std::string detail) { return x->Problem(kind, std::move(detail)); },
      [this, x](std::function<std::string()> new_id, Respond respond) {
        x->Guard([&] { Run(x, true, std::move(new_id), std::move(respond)); });
      },
      std::move(finish));
}

void App::Run(const std::shared_ptr<Exchange>& x, bool offloaded, std::function<std::string()> new_id,
              Respond respond) {
  const Entry& entry = *x->entry;
  const Call call{x->request, x->match.params, x->account ? &*x->account : nullptr, std::move(new_id)};
  if (entry.async != nullptr) return entry.async(deps_, call, std::move(respond));
  if (entry.offload && !offloaded) {
    deps_.offload([this, x, call_id = call.new_id, respond = std::move(respond)]() mutable {
      x->Guard([&] { Run(x, true, std::move(call_id), std::move(respond)); });
    });
    return;
  }
  respond(entry.blocking(deps_, call));
}

}  // namespace smsgw::api
