// Debit, Capture and Refund: each batch is one pipelined round trip (see round.h).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>

#include "common/time.h"
#include "keys/keys.h"
#include "ledger/ledger.h"
#include "ledger/lua_scripts.h"
#include "ledger/round.h"

namespace smsgw::ledger {
namespace {

std::string Str(int64_t v) { return std::to_string(v); }

// The buckets a Debit looks in for the message id (lua_holds.h, kDebit): the current, the next
// and the previous one, so a repeated Debit is recognised for at least one bucket width.
constexpr size_t kDebitBuckets = 3;

// The integers of a script's array reply (integers, or strings holding one: money comes back
// as a string, review m11).
Result<std::vector<int64_t>> Integers(const redis::Reply& r, size_t n) {
  if (r.type != redis::Reply::Type::kArray || r.elements.size() != n) {
    return Status::Internal("ledger script: unexpected reply shape");
  }
  std::vector<int64_t> out;
  for (const redis::Reply& e : r.elements) {
    Result<int64_t> v = e.AsInt();
    if (!v.ok()) return Status::Internal("ledger script: unexpected reply shape");
    out.push_back(*v);
  }
  return out;
}

Status CheckHold(int64_t account_id, const std::string& message_id) {
  if (account_id <= 0) return Status::InvalidArgument("account_id must be positive");
  if (message_id.empty()) return Status::InvalidArgument("message_id is required");
  return Status::Ok();
}

// The longest hold TTL: it must expire while it is still kept (keys.h), with one bucket to
// spare for a sweeper that runs late.
int64_t MaxTtlS(int64_t retention_ms) { return (retention_ms - keys::HoldBucketWidthMs(retention_ms)) / 1000; }

Status CheckItem(const v1::DebitRequest& r, int64_t max_ttl_s) {
  if (Status s = CheckHold(r.account_id(), r.message_id()); !s.ok()) return s;
  if (r.cost() < 0) return Status::InvalidArgument("cost must not be negative");
  if (r.ttl_s() <= 0) return Status::InvalidArgument("ttl_s must be positive");
  if (r.ttl_s() > max_ttl_s) {
    return Status::InvalidArgument("ttl_s must be at most " + Str(max_ttl_s) + " (ledger.hold_retention_s)");
  }
  return Status::Ok();
}
Status CheckItem(const v1::CaptureRequest& r, int64_t) { return CheckHold(r.account_id(), r.message_id()); }
Status CheckItem(const v1::RefundRequest& r, int64_t) { return CheckHold(r.account_id(), r.message_id()); }

// Every item must be valid, or the whole call is refused: a caller that sends a bad item has a
// bug, and answering the others would hide it. The error names the first bad item.
template <typename Item>
Status CheckItems(const google::protobuf::RepeatedPtrField<Item>& items, bool batch, int64_t max_ttl_s) {
  if (items.size() > Ledger::kMaxBatchItems) {
    return Status::InvalidArgument(Str(items.size()) + " items; at most " + Str(Ledger::kMaxBatchItems) + " per call");
  }
  for (int i = 0; i < items.size(); ++i) {
    Status s = CheckItem(items[i], max_ttl_s);
    if (!s.ok()) return batch ? Status::InvalidArgument("item " + Str(i) + ": " + s.message()) : s;
  }
  return Status::Ok();
}

// SADD ledger:dirty of the items' accounts, each once.
template <typename Item>
redis::Command MarkDirty(const google::protobuf::RepeatedPtrField<Item>& items) {
  std::vector<int64_t> accounts;
  for (const Item& it : items) accounts.push_back(it.account_id());
  std::sort(accounts.begin(), accounts.end());
  accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());
  redis::Command cmd{"SADD", keys::kDirtyAccounts};
  for (int64_t a : accounts) cmd.push_back(Str(a));
  return cmd;
}

// The single call's reply from its batch of one.
template <typename Reply, typename BatchReply>
Result<Reply> Only(Result<BatchReply> batch) {
  if (!batch.ok()) return batch.status();
  if (batch->items_size() != 1) return Status::Internal("ledger: no reply item");
  return std::move(*batch->mutable_items(0));
}

}  // namespace

std::vector<std::string> Ledger::HoldKeys(int64_t account_id, int64_t now_ms, size_t buckets) const {
  std::vector<std::string> keys{keys::Account(account_id)};
  for (std::string& k : keys::HoldBuckets(account_id, now_ms, retention_ms_)) {
    if (keys.size() > buckets) break;
    keys.push_back(std::move(k));
  }
  return keys;
}

Result<v1::DebitBatchReply> Ledger::DebitBatch(const v1::DebitBatchRequest& req) { return Debits(req, true); }
Result<v1::CaptureBatchReply> Ledger::CaptureBatch(const v1::CaptureBatchRequest& req) { return Captures(req, true); }
Result<v1::RefundBatchReply> Ledger::RefundBatch(const v1::RefundBatchRequest& req) { return Refunds(req, true); }

Result<v1::DebitReply> Ledger::Debit(const v1::DebitRequest& req) {
  v1::DebitBatchRequest batch;
  *batch.add_items() = req;
  return Only<v1::DebitReply>(Debits(batch, false));
}

Result<v1::CaptureReply> Ledger::Capture(const v1::CaptureRequest& req) {
  v1::CaptureBatchRequest batch;
  *batch.add_items() = req;
  return Only<v1::CaptureReply>(Captures(batch, false));
}

Result<v1::RefundReply> Ledger::Refund(const v1::RefundRequest& req) {
  v1::RefundBatchRequest batch;
  *batch.add_items() = req;
  return Only<v1::RefundReply>(Refunds(batch, false));
}

// Debits: SADD ledger:dirty and ZADD NX ledger:hold_expiry before the scripts, so no prefix of
// the round leaves a hold the sweeper cannot find or a change the flusher cannot, and SADD
// ledger:dirty again after them (lua_scripts.h). NX keeps the expiry of a message id's first
// debit: a repeated debit changes nothing, its hold's expiry included.
Result<v1::DebitBatchReply> Ledger::Debits(const v1::DebitBatchRequest& req, bool batch) {
  if (Status s = CheckItems(req.items(), batch, MaxTtlS(retention_ms_)); !s.ok()) return s;
  v1::DebitBatchReply reply;
  if (req.items().empty()) return reply;
  const int64_t now = NowMs();
  const std::string bucket_expiry = Str(keys::HoldBucketExpiresAtMs(now, retention_ms_));
  redis::Command index{"ZADD", keys::kHoldExpiry, "NX"};
  for (const v1::DebitRequest& it : req.items()) {
    index.push_back(Str(now + it.ttl_s() * 1000));
    index.push_back(keys::HoldIndexMember(it.account_id(), it.message_id()));
  }
  const redis::Command dirty = MarkDirty(req.items());
  Round round(lua::kDebitScript);
  round.Add(dirty);
  round.Add(std::move(index));
  for (const v1::DebitRequest& it : req.items()) {
    round.Invoke(HoldKeys(it.account_id(), now, kDebitBuckets),
                 {it.message_id(), Str(it.cost()), Str(now + it.ttl_s() * 1000), bucket_expiry});
  }
  round.Add(dirty);
  auto conn = redis_.Acquire();
  Result<std::vector<redis::Reply>> replies = round.Run(*conn);
  if (!replies.ok()) return replies.status();
  for (int i = 0; i < req.items_size(); ++i) {
    Result<std::vector<int64_t>> v = Integers((*replies)[2 + i], 3);  // result, balance, ops
    if (!v.ok()) return v.status();
    v1::DebitReply* item = reply.add_items();
    item->set_result(static_cast<v1::LedgerResult>((*v)[0]));
    item->set_balance((*v)[1]);
    if ((*v)[2] > 0) unflushed_.Debited(req.items(i).account_id(), (*v)[2], req.items(i).cost(), now);
  }
  return reply;
}

// Captures: SADD ledger:dirty around the scripts (a capture moves held to charged, which
// PostgreSQL must learn), then, in a second round trip, ZREM of the index entries of the holds
// captured. The others keep theirs: a hold past its TTL that the capture expired needs the
// sweeper to send its `expired` event. A crash before the ZREM leaves entries for charged
// holds, which the sweeper drops without expiring them.
Result<v1::CaptureBatchReply> Ledger::Captures(const v1::CaptureBatchRequest& req, bool batch) {
  if (Status s = CheckItems(req.items(), batch, 0); !s.ok()) return s;
  v1::CaptureBatchReply reply;
  if (req.items().empty()) return reply;
  const int64_t now = NowMs();
  const redis::Command dirty = MarkDirty(req.items());
  Round round(lua::kCaptureScript);
  round.Add(dirty);
  for (const v1::CaptureRequest& it : req.items()) {
    round.Invoke(HoldKeys(it.account_id(), now), {it.message_id(), Str(now)});
  }
  round.Add(dirty);
  auto conn = redis_.Acquire();
  Result<std::vector<redis::Reply>> replies = round.Run(*conn);
  if (!replies.ok()) return replies.status();
  redis::Command unindex{"ZREM", keys::kHoldExpiry};
  for (int i = 0; i < req.items_size(); ++i) {
    Result<int64_t> result = (*replies)[1 + i].AsInt();
    if (!result.ok()) return Status::Internal("ledger capture script: bad reply");
    reply.add_items()->set_result(static_cast<v1::LedgerResult>(*result));
    if (*result == v1::LEDGER_OK) {
      unindex.push_back(keys::HoldIndexMember(req.items(i).account_id(), req.items(i).message_id()));
    }
  }
  // The captures stand whatever happens here: an entry left behind only costs the sweeper a look.
  if (unindex.size() > 2) {
    if (Status s = RunPipeline(*conn, {unindex}, "ZREM"); !s.ok()) spdlog::warn("capture: {}", s.ToString());
  }
  return reply;
}

// Refunds: SADD ledger:dirty before and after the scripts, as for debits. The index entry of a
// refunded hold is left to the sweeper, which drops it when it falls due: a ZREM here could
// land between the ZADD and the script of a debit of the same message id still in flight (a
// caller refunding a debit whose reply it never got), and that hold would never expire.
Result<v1::RefundBatchReply> Ledger::Refunds(const v1::RefundBatchRequest& req, bool batch) {
  if (Status s = CheckItems(req.items(), batch, 0); !s.ok()) return s;
  v1::RefundBatchReply reply;
  if (req.items().empty()) return reply;
  const int64_t now = NowMs();
  const std::string bucket_expiry = Str(keys::HoldBucketExpiresAtMs(now, retention_ms_));
  const redis::Command dirty = MarkDirty(req.items());
  Round round(lua::kRefundScript);
  round.Add(dirty);
  for (const v1::RefundRequest& it : req.items()) {
    round.Invoke(HoldKeys(it.account_id(), now), {it.message_id(), bucket_expiry});
  }
  round.Add(dirty);
  auto conn = redis_.Acquire();
  Result<std::vector<redis::Reply>> replies = round.Run(*conn);
  if (!replies.ok()) return replies.status();
  for (int i = 0; i < req.items_size(); ++i) {
    Result<std::vector<int64_t>> v = Integers((*replies)[1 + i], 3);  // result, balance, duplicate
    if (!v.ok()) return v.status();
    v1::RefundReply* item = reply.add_items();
    item->set_result(static_cast<v1::LedgerResult>((*v)[0]));
    item->set_balance((*v)[1]);
    item->set_duplicate((*v)[2] == 1);
    if (item->result() == v1::LEDGER_OK && !item->duplicate()) {
      const v1::RefundRequest& it = req.items(i);
      spdlog::info("account {}: message {} refunded ({})", it.account_id(), it.message_id(), it.reason());
    }
  }
  return reply;
}

}  // namespace smsgw::ledger
