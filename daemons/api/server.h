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
// keep-alive, "Expect: 100-continue", limits on body, header size and connections, read and
// idle timeouts, and a graceful stop. A request whose body or header is over its limit (by
// Content-Length or while reading a chunked one) or that is not valid HTTP reaches the
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
    int64_t max_header_bytes = 8192;  // request line and header fields; more is answered 431
    int64_t max_connections = 10000;  // beyond, a new connection is answered 503 and closed
    // From a request's first byte to its last, and for writing its answer: a slow client is
    // cut off after this, whatever it sends meanwhile.
    std::chrono::milliseconds read_timeout{10000};
    std::chrono::milliseconds idle_timeout{60000};  // a keep-alive connection waiting for a request
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
  // Graceful stop, first half: closes the listening socket (new connections are refused),
  // closes idle connections, and waits up to `grace` for the requests in flight to be answered
  // (their connections close after the answer). The threads keep running; call Stop() next.
  void Shutdown(std::chrono::milliseconds grace);
  // Stops accepting, drops open connections and joins the threads. Idempotent.
  void Stop();

  struct Impl;  // public for the sessions in server.cpp

 private:
  std::unique_ptr<Impl> impl_;
};

// Splits "host:port" / "[v6]:port". InvalidArgument naming the value when malformed.
struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};
Result<ListenAddress> ParseListenAddress(const std::string& listen);

}  // namespace smsgw::api
