#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Every Redis key smsgw uses, in one place (DESIGN.md sections 3 and 4). Per-account keys carry
// the hash tag {a:<id>} so one account's keys share a Redis Cluster slot and one Lua script may
// touch them together.
namespace smsgw::keys {

inline std::string AccountTag(int64_t account_id) { return "{a:" + std::to_string(account_id) + "}"; }

// Hash: the account's settings and hot money (daemons/ledger/lua_scripts.h lists the money
// fields). Settings other daemons read: status (active|disabled), price_normal, price_express,
// weight (the scheduler's share; absent: 1), rate_rps and rate_burst (the API's rate limit;
// absent: the API's configured rate). Only smsgw-ledger writes it.
inline std::string Account(int64_t account_id) { return AccountTag(account_id) + ":acct"; }
// Set of the sequence numbers of top-ups applied to the Redis balance out of order; the account
// hash's topup_seq says that every top-up up to it is applied (so the set is nearly always empty).
inline std::string TopUps(int64_t account_id) { return AccountTag(account_id) + ":topups"; }

// ---- Holds (areas contract 5: readers find and read holds only through these) ---------------
// A message's hold is a field of one of the account's hold buckets, hashes named
// {a:<id>}:holds:<n> for n = the debit's time (Unix ms) / HoldBucketWidthMs. A bucket expires
// once no lookup includes it, so a hold is kept for at least the retention
// (ledger.hold_retention_s) and at most one bucket width more. The value is
// "<state>:<cost>[:<expires at, Unix ms>]", state one of
//   held      debited, not yet sent (carries its expiry);
//   charged   captured: the message went to an operator;
//   refunded  the money went back (before or after capture);
//   expired   not sent before its hold expired: the money went back;
//   void      a refund came before any debit of that message id: a late debit is refused.
inline constexpr int64_t kHoldBucketsKept = 7;  // buckets in a retention
inline int64_t HoldBucketWidthMs(int64_t retention_ms) {
  return retention_ms / kHoldBucketsKept > 0 ? retention_ms / kHoldBucketsKept : 1;
}
inline std::string HoldBucket(int64_t account_id, int64_t index) {
  return AccountTag(account_id) + ":holds:" + std::to_string(index);
}
// Every bucket a hold made within the retention may be in: the current one first (where a new
// hold goes), then the next (a debit on a host whose clock runs a little ahead), then the
// older ones, newest first.
inline std::vector<std::string> HoldBuckets(int64_t account_id, int64_t now_ms, int64_t retention_ms) {
  const int64_t current = now_ms / HoldBucketWidthMs(retention_ms);
  std::vector<std::string> out{HoldBucket(account_id, current), HoldBucket(account_id, current + 1)};
  for (int64_t i = 1; i <= kHoldBucketsKept; ++i) out.push_back(HoldBucket(account_id, current - i));
  return out;
}
// Reading the holds of several message ids of one account in one round trip: pipeline these
// commands (an HMGET of the ids per bucket, in HoldBuckets' order); an id's hold is its first
// non-nil value in command order ("void" included: read it as no hold).
inline std::vector<std::vector<std::string>> HoldReads(int64_t account_id, const std::vector<std::string>& message_ids,
                                                       int64_t now_ms, int64_t retention_ms) {
  std::vector<std::vector<std::string>> out;
  for (std::string& bucket : HoldBuckets(account_id, now_ms, retention_ms)) {
    std::vector<std::string> hmget{"HMGET", std::move(bucket)};
    hmget.insert(hmget.end(), message_ids.begin(), message_ids.end());
    out.push_back(std::move(hmget));
  }
  return out;
}
// When the current bucket may go: once the last lookup that includes it is over.
inline int64_t HoldBucketExpiresAtMs(int64_t now_ms, int64_t retention_ms) {
  const int64_t width = HoldBucketWidthMs(retention_ms);
  return (now_ms / width + kHoldBucketsKept + 1) * width;
}
struct Hold {
  std::string state;
  int64_t cost = 0;
  int64_t expires_at_ms = 0;  // 0 unless held
};
// The hold of a bucket field's value; nullopt if the value is not one.
inline std::optional<Hold> ParseHold(std::string_view value) {
  Hold h;
  const size_t colon = value.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  h.state = std::string(value.substr(0, colon));
  std::string_view rest = value.substr(colon + 1);
  const size_t second = rest.find(':');
  const std::string_view cost = rest.substr(0, second);
  if (std::from_chars(cost.data(), cost.data() + cost.size(), h.cost).ptr != cost.data() + cost.size() ||
      cost.empty()) {
    return std::nullopt;
  }
  if (second != std::string_view::npos) {
    const std::string_view at = rest.substr(second + 1);
    if (std::from_chars(at.data(), at.data() + at.size(), h.expires_at_ms).ptr != at.data() + at.size() ||
        at.empty()) {
      return std::nullopt;
    }
  }
  return h;
}
// The account's normal-priority stream.
inline std::string AccountQueue(int64_t account_id) { return AccountTag(account_id) + ":q"; }

// String: SHA-256 hex of an API key -> account id.
inline std::string ApiKey(const std::string& key_hash) { return "apikey:" + key_hash; }
// String: an Idempotency-Key's record (smsgw-api, idempotency_record.h), kept 24 h; the hash is
// the SHA-256 hex of the key, so keys of any length and content make safe key names.
inline std::string IdempotencyRecord(int64_t account_id, const std::string& key_hash) {
  return AccountTag(account_id) + ":idem:" + key_hash;
}

// Pub/sub channel of auth changes: after revoking a key the ledger publishes "key <hash>",
// after any change of an account's settings "account <id>"; API instances drop those entries
// from their caches.
inline constexpr const char* kAuthChannel = "smsgw:auth";
inline std::string AuthKeyMessage(const std::string& key_hash) { return "key " + key_hash; }
inline std::string AuthAccountMessage(int64_t account_id) { return "account " + std::to_string(account_id); }

// String, set by smsgw-ledger once every account and API key is loaded. Missing: Redis lost
// its data (or was never loaded); the ledger reloads it, and an unknown API key then means
// "not loaded yet" (503), not "no such key" (401).
inline constexpr const char* kLedgerReady = "ledger:ready";

inline constexpr const char* kExpressQueue = "q:express";
inline constexpr const char* kActiveAccounts = "q:active";
inline constexpr const char* kRetry = "q:retry";
inline constexpr const char* kDeadLetters = "q:dlq";
inline constexpr const char* kReportEvents = "ev:report";
// Sorted set: "<account>:<message id>" scored by the hold's expiry (ms). Global, so only plain
// commands write it, never a script (daemons/ledger/lua_scripts.h); it may hold entries for
// holds that are no longer held, or were never made, which the sweeper drops.
inline constexpr const char* kHoldExpiry = "ledger:hold_expiry";
inline std::string HoldIndexMember(int64_t account_id, const std::string& message_id) {
  return std::to_string(account_id) + ":" + message_id;
}
// Set of accounts whose Redis balance may have moved since the last flush to PostgreSQL
// (global, plain commands only, like kHoldExpiry).
inline constexpr const char* kDirtyAccounts = "ledger:dirty";

// String: "<account>:<message id>" for an operator's message id, until its receipt arrives.
inline std::string Receipt(const std::string& operator_name, const std::string& operator_message_id) {
  return "dlr:" + operator_name + ":" + operator_message_id;
}

// String "1" while a message's submit is recorded and its stream entry not yet acked: written
// after its submitted event and receipt keys, deleted after the ack, in the same pipeline. An
// instance that takes the entry over finds it and does not submit again (review C3).
inline std::string SubmittedMark(const std::string& message_id) { return "sent:" + message_id; }
// A final receipt that matched no receipt key yet (parked, tried again), the set of them by
// time, the stream of those that never matched (kept for inspection) and their count.
inline std::string ParkedReceipt(const std::string& operator_name, const std::string& operator_message_id) {
  return "dlr:park:" + operator_name + ":" + operator_message_id;
}
inline constexpr const char* kParkedReceipts = "dlr:parked";
inline constexpr const char* kUnmatchedReceipts = "dlr:unmatched";
inline constexpr const char* kUnmatchedCount = "dlr:unmatched:count";
// Sorted set: "<account>:<message id>" of each submitted message waiting for its final receipt,
// scored by the time (ms) it stops waiting; the receipt's match removes it, a sweep expires the
// rest (daemons/sched/receipt_waits.h).
inline constexpr const char* kReceiptWaits = "dlr:waiting";
// Hash: the express latency (accepted -> submitted) every scheduler instance steers by.
inline constexpr const char* kExpressLatency = "sched:express";
// String: an operator's GCRA state (theoretical arrival time, us), shared by all instances.
inline std::string OperatorRate(const std::string& operator_name) { return "tps:" + operator_name; }
// Stream of mobile-originated messages (deliver_sm that are not receipts).
inline constexpr const char* kMoMessages = "mo:in";

// Consumer groups.
inline constexpr const char* kSchedGroup = "sched";
inline constexpr const char* kReportGroup = "report";
// The stream field holding the protobuf payload of an entry.
inline constexpr const char* kPayloadField = "e";

}  // namespace smsgw::keys
