#pragma once

#include "common/status.h"
#include "ledger/money_store.h"
#include "ledger/topups.h"
#include "proto/smsgw.pb.h"
#include "redis/redis.h"

namespace smsgw::ledger {

// An account's books: its journal (History) and the check that its money adds up, in Redis
// and in PostgreSQL (Reconcile, DESIGN.md section 3). Thread-safe.
class Books {
 public:
  Books(redis::Pool& redis, MoneyStore& store, TopUps& topups) : redis_(redis), store_(store), topups_(topups) {}

  // kInvalidArgument for a bad limit or cursor, kNotFound for an unknown account.
  Result<v1::HistoryReply> History(const v1::HistoryRequest& req);

  // Two rows per account (Redis, then PostgreSQL). Redis is read after PostgreSQL; an account
  // whose Redis side is short of top-ups PostgreSQL has (one being applied right now, or one
  // Redis lost) has them applied and is read again, so only a real difference is reported.
  Result<v1::ReconcileReply> Reconcile(const v1::ReconcileRequest& req);

 private:
  // The Redis row of one account: HMGET balance held charged refunded topup_seq.
  Result<redis::Reply> ReadRedis(int64_t account_id);

  redis::Pool& redis_;
  MoneyStore& store_;
  TopUps& topups_;
};

}  // namespace smsgw::ledger
