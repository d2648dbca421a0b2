#pragma once

#include <cstdint>
#include <string>

#include "ledger/account_store.h"
#include "ledger/money_store.h"
#include "common/status.h"
#include "proto/smsgw.pb.h"
#include "redis/redis.h"

namespace smsgw::ledger {

// Balances and holds (DESIGN.md section 3). The hot balance lives in Redis and changes only
// inside Lua scripts; PostgreSQL holds accounts, the top-up journal and the flushed balance.
// Thread-safe: every call leases its own Redis connection.
class Ledger {
 public:
  Ledger(redis::Pool& redis, MoneyStore& store, AccountStore& accounts)
      : redis_(redis), store_(store), accounts_(accounts) {}

  // PostgreSQL first (the journal row, idempotent on the reference), then Redis.
  Result<v1::TopUpReply> TopUp(const v1::TopUpRequest& req);
  Result<v1::BalanceReply> GetBalance(int64_t account_id);

  // Holds (holds.cpp). Each batch is one Redis round trip, and its reply items answer the
  // request items in order. An invalid item (account_id <= 0, no message_id, cost < 0,
  // ttl_s <= 0) or more than kMaxBatchItems items fails the whole call with kInvalidArgument
  // naming the item; a refusal (insufficient funds, unknown or refunded hold) is that item's
  // result and does not affect the others. The single calls are batches of one.
  static constexpr int kMaxBatchItems = 5000;
  Result<v1::DebitBatchReply> DebitBatch(const v1::DebitBatchRequest& req);
  Result<v1::CaptureBatchReply> CaptureBatch(const v1::CaptureBatchRequest& req);
  Result<v1::RefundBatchReply> RefundBatch(const v1::RefundBatchRequest& req);
  Result<v1::DebitReply> Debit(const v1::DebitRequest& req);
  Result<v1::CaptureReply> Capture(const v1::CaptureRequest& req);
  Result<v1::RefundReply> Refund(const v1::RefundRequest& req);

  // Start-up recovery: loads accounts and keys that Redis lacks (a new or emptied Redis) and
  // finishes top-ups committed to PostgreSQL but not yet applied to Redis.
  Status WarmUp();
  // Moves up to `max_accounts` accounts' balance deltas to PostgreSQL (see lua::kFlushTake).
  // Returns how many accounts were flushed.
  Result<int> FlushOnce(int max_accounts);
  // Visits up to `max_holds` due entries of the hold index: a hold still held is refunded and
  // marked expired, with an `expired` event (sent again for one found already expired); any
  // other entry is only dropped. Returns how many holds expired in this pass.
  Result<int> SweepOnce(int64_t now_ms, int max_holds);

 private:
  Status ApplyTopUpToRedis(int64_t account_id, const std::string& reference, int64_t amount,
                           v1::TopUpReply* reply);
    // The batches; `batch` says whether errors name the item (a single call has no items).
  Result<v1::DebitBatchReply> Debits(const v1::DebitBatchRequest& req, bool batch);
  Result<v1::CaptureBatchReply> Captures(const v1::CaptureBatchRequest& req, bool batch);
  Result<v1::RefundBatchReply> Refunds(const v1::RefundBatchRequest& req, bool batch);

  redis::Pool& redis_;
  MoneyStore& store_;
  AccountStore& accounts_;
};

}  // namespace smsgw::ledger
