#pragma once

#include <cstdint>
#include <string>

// Every Redis key smsgw uses, in one place (DESIGN.md sections 3 and 4). Per-account keys carry
// the hash tag {a:<id>} so one account's keys share a Redis Cluster slot and one Lua script may
// touch them together.
namespace smsgw::keys {

inline std::string AccountTag(int64_t account_id) { return "{a:" + std::to_string(account_id) + "}"; }

// Hash: balance, held, status (active|disabled), price_normal, price_express, name, delta.
inline std::string Account(int64_t account_id) { return AccountTag(account_id) + ":acct"; }
// Hash: message id -> "<state>:<cost>", state one of held, charged, refunded, expired.
inline std::string Holds(int64_t account_id) { return AccountTag(account_id) + ":holds"; }
// Set of top-up references already applied to the Redis balance.
inline std::string TopUps(int64_t account_id) { return AccountTag(account_id) + ":topups"; }
// The account's normal-priority stream.
inline std::string AccountQueue(int64_t account_id) { return AccountTag(account_id) + ":q"; }

// String: SHA-256 hex of an API key -> account id.
inline std::string ApiKey(const std::string& key_hash) { return "apikey:" + key_hash; }
// String: set by smsgw-ledger once Redis holds every account and key (contract 3); missing means
// Redis was emptied and is being rebuilt, so an unknown key is not yet a wrong key.
inline constexpr const char* kLedgerReady = "ledger:ready";
// Channel: "key <hash>" after a key is revoked, "account <id>" after its status changed
// (published by smsgw-ledger, contract 2), so API instances drop their cached entries.
inline constexpr const char* kAuthChannel = "smsgw:auth";
// String: an Idempotency-Key's record (smsgw-api, idempotency_record.h), kept 24 h; the hash is
// the SHA-256 hex of the key, so keys of any length and content make safe key names.
inline std::string IdempotencyRecord(int64_t account_id, const std::string& key_hash) {
  return AccountTag(account_id) + ":idem:" + key_hash;
}

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
