#pragma once

#include <cstdint>

#include "common/status.h"
#include "redis/redis.h"

namespace smsgw::ledger {

// Hold expiry: refunds holds that were not captured before their TTL (DESIGN.md section 3).
// Thread-safe; several ledgers may sweep at once (an expiry happens once; its event may be
// sent twice, which the report coalesces).
class Sweeper {
 public:
  Sweeper(redis::Pool& redis, int64_t hold_retention_ms) : redis_(redis), retention_ms_(hold_retention_ms) {}

  // Visits up to `max_holds` due entries of the hold index: a hold still held is refunded and
  // marked expired, with an `expired` event (sent again for one found already expired); any
  // other entry is only dropped. Returns how many holds expired in this pass.
  Result<int> SweepOnce(int64_t now_ms, int max_holds);

 private:
  redis::Pool& redis_;
  const int64_t retention_ms_;
};

}  // namespace smsgw::ledger
