#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "metrics/registry.h"

namespace smsgw::metrics {

// What GET /healthz answers: 200 when `ok`, else 503; `body` is sent as application/json.
struct Health {
  bool ok = false;
  std::string body;
};

// A small HTTP/1.1 listener (Boost.Beast) on a thread of its own, serving
//   GET /metrics   the registry in Prometheus text format 0.0.4
//   GET /healthz   whatever `health` reports
// and 404 for other paths, 405 for other methods. Connections are kept alive; a client idle
// for 30 s is dropped. It never touches the daemon's own threads, so it answers while they are
// busy, and /healthz is how a stuck loop shows (see daemon/watchdog.h).
class Server {
 public:
  Server(Registry& registry, std::function<Health()> health);
  ~Server();  // Stop()s
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds `listen` ("host:port"; port 0 picks a free one) and starts the thread.
  // InvalidArgument for a malformed address, Unavailable when it cannot be bound.
  Status Start(const std::string& listen);
  uint16_t port() const;
  // Closes the listener and every connection, and joins the thread. Idempotent.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace smsgw::metrics
