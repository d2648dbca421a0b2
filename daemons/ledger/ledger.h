#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "ledger/unflushed.h"
#include "proto/smsgw.pb.h"
#include "redis/redis.h"

namespace smsgw::ledger {

// Balances and holds, the hot path (DESIGN.md section 3): the balance lives in Redis and
// changes only inside Lua scripts (lua_scripts.h). Thread-safe: every call leases its own
// Redis connection.
class Ledger {
 public:
  // `hold_retention_ms`: how long holds are kept (ledger.hold_retention_s), which places them
  // in their buckets (keys::HoldBuckets). Debits are noted in `unflushed`, which must outlive
  // this.
  Ledger(redis::Pool& redis, int64_t hold_retention_ms, Unflushed& unflushed)
      : redis_(redis), retention_ms_(hold_retention_ms), unflushed_(unflushed) {}

  Result<v1::BalanceReply> GetBalance(int64_t account_id);

  // Each batch is one Redis round trip, and its reply items answer the request items in
  // order. An invalid item (account_id <= 0, no message_id, cost < 0, ttl_s <= 0 or longer
  // than the retention allows) or more than kMaxBatchItems items fails the whole call with
  // kInvalidArgument naming the item; a refusal (insufficient funds, unknown or refunded
  // hold) is that item's result and does not affect the others. The single calls are batches
  // of one.
  static constexpr int kMaxBatchItems = 5000;
  Result<v1::DebitBatchReply> DebitBatch(const v1::DebitBatchRequest& req);
  Result<v1::CaptureBatchReply> CaptureBatch(const v1::CaptureBatchRequest& req);
  Result<v1::RefundBatchReply> RefundBatch(const v1::RefundBatchRequest& req);
  Result<v1::DebitReply> Debit(const v1::DebitRequest& req);
  Result<v1::CaptureReply> Capture(const v1::CaptureRequest& req);
  Result<v1::RefundReply> Refund(const v1::RefundRequest& req);

 private:
  // The batches; `batch` says whether errors name the item (a single call has no items).
  Result<v1::DebitBatchReply> Debits(const v1::DebitBatchRequest& req, bool batch);
  Result<v1::CaptureBatchReply> Captures(const v1::CaptureBatchRequest& req, bool batch);
  Result<v1::RefundBatchReply> Refunds(const v1::RefundBatchRequest& req, bool batch);
  // The account hash then the first `buckets` hold buckets to look in at `now_ms` (all of
  // them by default): a hold script's KEYS.
  std::vector<std::string> HoldKeys(int64_t account_id, int64_t now_ms, size_t buckets = SIZE_MAX) const;

  redis::Pool& redis_;
  const int64_t retention_ms_;
  Unflushed& unflushed_;
};

}  // namespace smsgw::ledger
