#pragma once

#include "common/status.h"
#include "ledger/money_store.h"
#include "ledger/unflushed.h"
#include "redis/redis.h"

namespace smsgw::ledger {

// Write-behind of Redis's money counters to PostgreSQL (lua_scripts.h). Thread-safe, and any
// number of ledgers may flush at once: PostgreSQL takes a snapshot only if it is newer than
// what it has.
class Flusher {
 public:
  Flusher(redis::Pool& redis, MoneyStore& store, Unflushed& unflushed)
      : redis_(redis), store_(store), unflushed_(unflushed) {}

  // Flushes every account marked in ledger:dirty, however many (review m12), in chunks of
  // kChunk: per chunk one read of the counters (a pipeline of HMGETs), one PostgreSQL
  // statement, one round trip clearing the marks of the accounts written and looking at their
  // `ops`, and one putting back those that moved meanwhile. Returns the accounts written.
  static constexpr int kChunk = 1000;
  Result<int> FlushAll();

 private:
  // One chunk of dirty accounts.
  Result<int> FlushChunk(redis::Connection& conn, const std::vector<int64_t>& accounts);

  redis::Pool& redis_;
  MoneyStore& store_;
  Unflushed& unflushed_;
};

}  // namespace smsgw::ledger
