#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "http_client.h"

namespace smsgw::bench {

// A message the gateway answered 202 for, and the key that sent it (messages are visible only
// to their own account).
struct Accepted {
  std::string id;
  const std::string* key;
};

// What polling a sample of messages until they finished showed.
struct DeliveryReport {
  std::vector<double> end_to_end_ms;          // done_at - accepted_at of each delivered one
  std::map<std::string, int> other_final;     // undelivered, failed, expired: by status
  std::map<std::string, int> unfinished;      // still not final at the deadline: by last status
  std::vector<std::string> first_errors;      // the first few failed GETs
  double seconds = 0;                         // how long the polling took
};

// Polls GET /v1/messages/{id} for every message in `sample` over `connections` keep-alive
// connections (one thread each) until each is final or `deadline` passes. Blocks; never runs
// past `deadline` by more than one request timeout.
DeliveryReport WaitDelivered(const Url& url, const std::vector<Accepted>& sample, int connections,
                             std::chrono::steady_clock::time_point deadline);

}  // namespace smsgw::bench
