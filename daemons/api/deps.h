#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "api/account.h"
#include "api/auth.h"
#include "api/http_types.h"
#include "api/send_batcher.h"
#include "config/config.h"
#include "redis/redis.h"
#include "rpc/clients.h"

namespace smsgw::api {

class DependencyMonitor;
class IdempotencyGate;
class RateLimiter;

// What the handlers share. Owned by RunApi (or a test), which outlives the server.
struct ApiDeps {
  const config::ApiConfig* config = nullptr;
  std::vector<std::string> operator_names;  // [[operators]] names, for Kannel's smsc
  // [report] webhook_allow_private: may callback_url and dlr-url name private or loopback
  // targets? Checked at send time with the policy smsgw-report applies at delivery.
  bool callback_allow_private = false;
  redis::Pool* pool = nullptr;
  rpc::LedgerClient* ledger = nullptr;
  rpc::ReportClient* report = nullptr;
  Authenticator* auth = nullptr;
  SendBatcher* sender = nullptr;
  RateLimiter* limiter = nullptr;
  DependencyMonitor* monitor = nullptr;
  IdempotencyGate* idempotency = nullptr;
  // OK when sends may be accepted now, else Unavailable (backpressure: DependencyMonitor).
  std::function<Status()> admit_sends;
  // Runs a task that may block (a cache-missing key lookup, a report or balance query) off
  // the HTTP I/O threads.
  std::function<void(std::function<void()>)> offload;
  // Runs a task after a delay, on some thread (never blocks the caller).
  std::function<void(std::chrono::milliseconds, std::function<void()>)> after;
  std::function<std::string()> new_id;  // a UUIDv7
  std::function<int64_t()> now_ms;      // wall clock, Unix ms
  int64_t hold_retention_ms = 0;        // ledger.hold_retention_s: where holds are (keys::HoldBuckets)
};

// One routed request.
struct Call {
  const HttpRequest& request;
  const std::vector<std::string>& params;  // the route's "{...}" segments
  const Account* account = nullptr;        // the caller, on routes that need a key
  // Ids for the messages the request creates: UUIDv7s, seeded by its Idempotency-Key if any.
  std::function<std::string()> new_id;
};

}  // namespace smsgw::api
