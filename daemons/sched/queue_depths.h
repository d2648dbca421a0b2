#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "common/status.h"
#include "config/config.h"
#include "metrics/poller.h"
#include "metrics/registry.h"
#include "redis/redis.h"

namespace smsgw::sched {

// smsgw_sched_queue_depth{level="express"|"normal"|"retry"} and smsgw_sched_dlq_size, read from
// Redis by a metrics::Poller every kEvery on a connection of its own, never by the scheduler's
// loop: XLEN q:express, ZCARD q:retry and XLEN q:dlq in one round trip, and the normal backlog as
// the sum of XLEN over the accounts of q:active (SSCAN, 1,000 a page, each page's XLENs in the
// pipeline that asks for the next page). That sum costs one command per account with a backlog,
// so it is read less often when there are many: after a pass over P pages the next P / 10 polls
// skip it (10,000 backlogged accounts: every 5 s; 100,000: every 55 s). A failed read leaves
// the gauges as they were. Every scheduler instance exports the same figures: aggregate with max.
class QueueDepths {
 public:
  static constexpr std::chrono::milliseconds kEvery{5000};

  explicit QueueDepths(const config::RedisConfig& redis, metrics::Registry& registry = metrics::Default());
  ~QueueDepths();  // stops the poller before what it uses goes

  void Start() { poller_.Start(); }
  void Stop() { poller_.Stop(); }

  // One poll, now (the poller's step; for tests).
  Status Poll();

 private:
  Result<int64_t> NormalBacklog(int* pages);

  const config::RedisConfig config_;
  std::unique_ptr<redis::Connection> conn_;  // the poller thread's; opened on first use
  metrics::Family<metrics::Gauge>& depth_;
  metrics::Gauge& express_;
  metrics::Gauge& normal_;
  metrics::Gauge& retry_;
  metrics::Gauge& dlq_;
  int skip_normal_ = 0;  // polls left before the normal backlog is read again
  metrics::Poller poller_;  // last: its thread uses the members above
};

}  // namespace smsgw::sched
