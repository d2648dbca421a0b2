#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/handlers.h"
#include "api/http_types.h"
#include "api/problem.h"
#include "api/request_metrics.h"
#include "api/router.h"

namespace smsgw::api {

// Everything between the HTTP server and the handlers, in this order: X-Request-ID, the
// request deadline, routing (404, 405 with Allow), authentication (a bearer key, or Kannel's
// username and password), the account's rate limit (429), backpressure on sends (503), the
// Idempotency-Key of a POST, and the last line of defence: an exception from a handler becomes
// a logged 500, never a dead thread or an unanswered request. Also writes one log line per
// answer: debug for 2xx/3xx, info for 4xx, error for 5xx (with the hidden cause), each with its
// request id, and counts it with its latency (RequestMetrics). Errors of Kannel's routes are
// answered in Kannel's text form.
//
// Handle never blocks the calling (I/O) thread: a key missing from the auth cache and the
// blocking handlers are run through ApiDeps::offload. Thread-safe.
class App {
 public:
  explicit App(ApiDeps deps);

  // Answers `request` through `respond`, exactly once, now or later from another thread.
  void Handle(HttpRequest request, Respond respond) noexcept;

  // Every (method, pattern) served, in order of registration ("/v1/messages/{id}").
  std::vector<std::pair<std::string, std::string>> Routes() const;

 private:
  using BlockingFn = HttpResponse (*)(const ApiDeps&, const Call&);
  using AsyncFn = void (*)(const ApiDeps&, const Call&, Respond);
  enum class Auth { kNone, kBearer, kKannel };
  struct Entry {
    BlockingFn blocking = nullptr;  // one of the two is set
    AsyncFn async = nullptr;
    Auth auth = Auth::kNone;
    bool offload = false;  // blocking handlers that may wait on a dependency
    bool sends = false;    // accepts messages: refused while a queue is too deep (backpressure)
  };
  struct Exchange;
  struct Deadlines;

  void Add(std::string method, std::string_view pattern, Entry entry);
  void Dispatch(const std::shared_ptr<Exchange>& x);
  void Authenticated(const std::shared_ptr<Exchange>& x);
  // Runs the route's handler; `offloaded`: already on an offload thread.
  void Run(const std::shared_ptr<Exchange>& x, bool offloaded, std::function<std::string()> new_id, Respond respond);

  ApiDeps deps_;
  Router router_;
  std::vector<Entry> entries_;  // indexed by the router's route index
  std::vector<std::pair<std::string, std::string>> routes_;
  std::shared_ptr<Deadlines> deadlines_;
  std::unique_ptr<RequestMetrics> metrics_;  // built once every route is added
};

// The request's X-Request-ID if it is sane (1..128 visible ASCII characters), else a new one.
std::string RequestIdFor(std::optional<std::string_view> header);

}  // namespace smsgw::api
