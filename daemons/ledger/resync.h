#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "common/status.h"
#include "ledger/account_store.h"
#include "ledger/money_store.h"
#include "ledger/topups.h"
#include "ledger/unflushed.h"
#include "redis/redis.h"

namespace smsgw::ledger {

// Brings Redis into line with PostgreSQL, account by account (lua::kSyncAccount): loads what
// Redis lacks (an empty or new Redis: reviews M8, M12), makes PostgreSQL follow a Redis that
// went back (an AOF that lost its tail: review M7), marks what PostgreSQL has not yet got, and
// applies the top-ups Redis lacks. Then every API key (revoked ones deleted) and, when all of it
// is in, the ledger:ready sentinel (areas contract 3). Thread-safe; several ledgers may run it at
// once. Run at start, whenever Needed(), and every ledger.check_interval_s.
class Resync {
 public:
  Resync(redis::Pool& redis, MoneyStore& money, AccountStore& accounts, TopUps& topups, Unflushed& unflushed)
      : redis_(redis), money_(money), accounts_(accounts), topups_(topups), unflushed_(unflushed) {}

  struct Summary {
    int accounts = 0;
    int loaded = 0;        // Redis did not have them
    int64_t returned = 0;  // held money given back with those (their messages went with Redis)
    int64_t lost = 0;      // debits this ledger made that went with Redis's lost changes
    int behind = 0;        // Redis had lost changes PostgreSQL had
    int unflushed = 0;     // Redis had changes PostgreSQL had not yet got
    int topups = 0;        // top-ups Redis lacked, applied
    int keys = 0;
  };
  // kUnavailable if Redis was emptied while it ran (then ledger:ready is not set; run it again).
  Result<Summary> Run();

  // Brings these accounts, as read from PostgreSQL, into line (Run does it chunk by chunk).
  Status Sync(const std::vector<MoneyStore::Durable>& accounts, Summary& summary);

  // Whether Redis needs a Run: ledger:ready is missing (Redis lost its data, or was never
  // loaded), or Redis is another server process than the one the last Run loaded (it
  // restarted, perhaps from an AOF that lost its tail).
  Result<bool> Needed();

 private:
  Status LoadKeys(redis::Connection& conn, Summary& summary);

  redis::Pool& redis_;
  MoneyStore& money_;
  AccountStore& accounts_;
  TopUps& topups_;
  Unflushed& unflushed_;
  std::mutex mu_;
  std::string run_id_;  // of the Redis server the last complete Run loaded
};

}  // namespace smsgw::ledger
