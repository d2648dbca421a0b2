#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/handlers.h"
#include "api/http_types.h"
#include "api/router.h"

namespace smsgw::api {

// Everything between the HTTP server and the handlers: X-Request-ID, routing (404, 405 with
// Allow), authentication, and the last line of defence: an exception from a handler becomes a
// logged 500 problem, never a dead thread or an unanswered request. Also writes one log line
// per answer: debug for 2xx/3xx, info for 4xx, error for 5xx (with the hidden cause), each with
// its request id.
//
// Handle never blocks the calling (I/O) thread: a key missing from the auth cache and the
// blocking handlers are run through ApiDeps::offload. Thread-safe.
class App {
 public:
  explicit App(ApiDeps deps);

  // Answers `request` through `respond`, exactly once, now or later from another thread.
  void Handle(HttpRequest request, Respond respond) noexcept;

 private:
  using BlockingFn = HttpResponse (*)(const ApiDeps&, const Call&);
  using AsyncFn = void (*)(const ApiDeps&, const Call&, Respond);
  struct Entry {
    BlockingFn blocking = nullptr;  // one of the two is set
    AsyncFn async = nullptr;
    bool needs_key = false;
    bool offload = false;  // blocking handlers that may wait on a dependency
  };
  struct Exchange;

  void Add(std::string method, std::string_view pattern, Entry entry);
  void Dispatch(const std::shared_ptr<Exchange>& x);
  // Runs the route's handler for an authenticated (or keyless) request; `offloaded`: already
  // on an offload thread.
  void Run(const std::shared_ptr<Exchange>& x, bool offloaded);

  ApiDeps deps_;
  Router router_;
  std::vector<Entry> entries_;  // indexed by the router's route index
};

// The request's X-Request-ID if it is sane (1..128 visible ASCII characters), else a new one.
std::string RequestIdFor(std::optional<std::string_view> header);

}  // namespace smsgw::api
