#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/handlers.h"
#include "api/http_types.h"
#include "api/router.h"

namespace smsgw::api {

// Everything between the HTTP server and the handlers: X-Request-ID, routing (404, 405 with
// Allow), authentication, and the last line of defence: an exception from a handler becomes a
// logged 500 problem, never a dead thread. Also writes one log line per answer: debug for
// 2xx/3xx, info for 4xx, error for 5xx (with the hidden cause), each with its request id.
// Thread-safe: Handle may run on every server thread at once.
class App {
 public:
  explicit App(ApiDeps deps);

  HttpResponse Handle(HttpRequest request) noexcept;

 private:
  using HandlerFn = HttpResponse (*)(const ApiDeps&, const Call&);
  struct Entry {
    HandlerFn handler;
    bool needs_key;
  };
  void Add(std::string method, std::string_view pattern, HandlerFn handler, bool needs_key);
  HttpResponse Dispatch(const HttpRequest& request, int64_t* account_id);

  ApiDeps deps_;
  Router router_;
  std::vector<Entry> entries_;  // indexed by the router's route index
};

// The request's X-Request-ID if it is sane (1..128 visible ASCII characters), else a new one.
std::string RequestIdFor(std::optional<std::string_view> header);

}  // namespace smsgw::api
