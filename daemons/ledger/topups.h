#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "ledger/money_store.h"
#include "proto/smsgw.pb.h"
#include "redis/redis.h"

namespace smsgw::ledger {

// Top-ups: PostgreSQL first (the journal row with its sequence number, and the durable
// balance, in one transaction), then Redis (lua::kApplyTopUp, once per sequence number).
// A top-up whose Redis step failed is finished by FinishPending, which the ledger runs every
// flush interval (review m13), or by repeating the same reference. Thread-safe.
class TopUps {
 public:
  TopUps(redis::Pool& redis, MoneyStore& store) : redis_(redis), store_(store) {}

  // Idempotent on the reference. kUnavailable when only the PostgreSQL step was done: the
  // top-up is kept, and is applied to Redis by FinishPending or by repeating the call.
  Result<v1::TopUpReply> TopUp(const v1::TopUpRequest& req);

  // Applies to Redis the top-ups PostgreSQL has not noted as applied (up to `limit`), and notes
  // those Redis now has. Returns how many were applied by this call (not before).
  Result<int> FinishPending(int limit);

  // Applies every top-up of the account with a sequence number above `seq` that Redis lacks
  // (after Redis went back, or was reloaded). Returns how many were applied by this call.
  Result<int> ApplyAfter(int64_t account_id, int64_t seq);

 private:
  struct Applied {
    v1::LedgerResult result = v1::LEDGER_OK;
    int64_t balance = 0;
    bool duplicate = false;
  };
  // One round trip: the script for each top-up.
  Result<std::vector<Applied>> Apply(const std::vector<MoneyStore::TopUp>& topups);
  // Applies `topups`, notes the ones Redis has, and counts those applied now.
  Result<int> ApplyAndNote(const std::vector<MoneyStore::TopUp>& topups);

  redis::Pool& redis_;
  MoneyStore& store_;
};

}  // namespace smsgw::ledger
