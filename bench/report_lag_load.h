#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "config/config.h"
#include "report_lag_samples.h"

namespace smsgw::bench {

struct LoadOptions {
  std::string stream = "ev:report";
  int rate = 10'000;        // messages accepted per second
  int seconds = 20;         // how long messages are accepted; their later events follow
  int submit_ms = 50;       // mean delay accepted -> submitted (uniform in [0.5, 1.5] x mean)
  int deliver_ms = 1000;    // mean delay accepted -> delivered (same spread)
  int sample_every = 100;    // every n-th message is watched
  int64_t account_id = 0;   // every message belongs to it
  int max_pipeline = 2000;  // XADDs per round trip at most, so a late loader catches up in steps
};

// What the loader did; read from any thread.
struct LoadCounters {
  std::atomic<int64_t> messages{0};
  std::atomic<int64_t> events{0};  // XADDed (and answered)
  std::atomic<int64_t> pipelines{0};
  std::atomic<int64_t> late_ms{0};  // the most any event was sent after it was due
  std::atomic<bool> accepting_done{false};
  std::atomic<bool> done{false};  // every event of every message was added
};

// Adds the StatusEvents of `rate` messages per second for `seconds` to the stream, as
// smsgw-api and smsgw-sched would: accepted (with the attributes of an accepted message), then
// submitted (operator name and id), then delivered, each one XADD of field "e". Events due at
// the same moment share one pipeline. Runs on the calling thread until every event is added,
// `stop` is set or the Redis connection fails (the error is returned).
Status RunLoad(const LoadOptions& options, const config::RedisConfig& redis, SampleBook* book,
               LoadCounters* counters, const std::atomic<bool>* stop);

}  // namespace smsgw::bench
