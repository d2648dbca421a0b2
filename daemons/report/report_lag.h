#pragma once

#include <chrono>
#include <memory>

#include "common/status.h"
#include "config/config.h"
#include "metrics/poller.h"
#include "metrics/registry.h"
#include "redis/redis.h"

namespace smsgw::report {

// smsgw_report_lag_seconds: the age of the oldest status event not yet written to PostgreSQL,
// i.e. of the first entry of ev:report (entries are deleted once their batch is committed, so
// the first one left is the oldest unwritten, whoever holds it; its id is the time it was
// added). 0 when the stream is empty. Read every kEvery by a metrics::Poller on a Redis
// connection of its own (one XRANGE ... COUNT 1); a failed read leaves the gauge as it was.
// Every report instance exports the same figure: aggregate with max.
class ReportLag {
 public:
  static constexpr std::chrono::milliseconds kEvery{1000};

  explicit ReportLag(const config::RedisConfig& redis, metrics::Registry& registry = metrics::Default());
  ~ReportLag();  // stops the poller before what it uses goes

  void Start() { poller_.Start(); }
  void Stop() { poller_.Stop(); }
  // One poll, now (the poller's step).
  Status Poll();

 private:
  const config::RedisConfig config_;
  std::unique_ptr<redis::Connection> conn_;  // the poller thread's; opened on first use
  metrics::Gauge& lag_;
  metrics::Poller poller_;  // last: its thread uses the members above
};

}  // namespace smsgw::report
