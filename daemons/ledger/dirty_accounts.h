#pragma once

#include <chrono>

#include "common/status.h"
#include "metrics/poller.h"
#include "metrics/registry.h"
#include "redis/redis.h"

namespace smsgw::ledger {

// smsgw_ledger_dirty_accounts: the accounts whose money changed in Redis and that PostgreSQL
// has not had yet (SCARD ledger:dirty), i.e. the flusher's backlog. Read every kEvery by a
// metrics::Poller with a connection leased from `redis` for one round trip, so neither a gRPC
// call nor a scrape waits for it, and the figure keeps moving while flushes fail. A failed read
// leaves the gauge as it was. Every ledger instance exports the same figure: aggregate with max.
class DirtyAccounts {
 public:
  static constexpr std::chrono::milliseconds kEvery{1000};

  explicit DirtyAccounts(redis::Pool& redis, metrics::Registry& registry = metrics::Default());
  ~DirtyAccounts();  // stops the poller before what it uses goes

  void Start() { poller_.Start(); }
  void Stop() { poller_.Stop(); }
  // One poll, now (the poller's step).
  Status Poll();

 private:
  redis::Pool& redis_;
  metrics::Gauge& dirty_;
  metrics::Poller poller_;  // last: its thread uses the members above
};

}  // namespace smsgw::ledger
