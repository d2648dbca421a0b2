#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "api/http_types.h"

namespace smsgw::api {

// An HTTP/1.1 server on Boost.Beast: asynchronous accept/read/write on `threads` threads,
// keep-alive, "Expect: 100-continue", and a body limit. A request whose body is over the limit
// (by Content-Length or while reading a chunked one) or that is not valid HTTP reaches the
// handler with HttpRequest::defect set and an empty body, and the connection is closed after
// the answer. The handler is called on a server I/O thread and must not block: it answers
// through `respond`, at once or later from any thread; the connection waits for that answer
// (requests on one connection are answered in order).
class HttpServer {
 public:
  using Handler = std::function<void(HttpRequest, Respond)>;

  struct Options {
    std::string listen = "127.0.0.1:8080";  // "host:port" or "[v6]:port"; port 0 picks a free one
    int threads = 2;
    int64_t max_body_bytes = 1 << 20;
    std::chrono::seconds read_timeout{60};  // idle keep-alive and slow-client limit
  };

  HttpServer(Options options, Handler handler);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts the threads. InvalidArgument for a bad address, Unavailable if the
  // address cannot be bound.
  Status Start();
  // The bound port (useful with port 0). Valid after a successful Start.
  uint16_t port() const;
  // Stops accepting, drops open connections and joins the threads. Idempotent.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Splits "host:port" / "[v6]:port". InvalidArgument naming the value when malformed.
struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};
Result<ListenAddress> ParseListenAddress(const std::string& listen);

}  // namespace smsgw::api
