#pragma once

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

// What the handlers share. Owned by RunApi (or a test), which outlives the server.
struct ApiDeps {
  const config::ApiConfig* config = nullptr;
  redis::Pool* pool = nullptr;
  rpc::LedgerClient* ledger = nullptr;
  rpc::ReportClient* report = nullptr;
  Authenticator* auth = nullptr;
  SendBatcher* sender = nullptr;
  // Runs a task that may block (a cache-missing key lookup, a report or balance query) off
  // the HTTP I/O threads.
  std::function<void(std::function<void()>)> offload;
  std::function<std::string()> new_id;  // a UUIDv7
  std::function<int64_t()> now_ms;      // wall clock, Unix ms
  int64_t hold_retention_ms = 0;        // ledger.hold_retention_s: where holds are (keys::HoldBuckets)
};

// One routed request.
struct Call {
  const HttpRequest& request;
  const std::vector<std::string>& params;  // the route's "{...}" segments
  const Account* account = nullptr;        // the caller, on routes that need a key
};

}  // namespace smsgw::api
