#pragma once

#include <cstdint>
#include <string>

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
// Hash: message id -> "<state>:<cost>", state one of held, charged, refunded, expired.
inline std::string Holds(int64_t account_id) { return AccountTag(account_id) + ":holds"; }
// Set of top-up references already applied to the Redis balance.
inline std::string TopUps(int64_t account_id) { return AccountTag(account_id) + ":topups"; }
// The account's normal-priority stream.
inline std::string AccountQueue(int64_t account_id) { return AccountTag(account_id) + ":q"; }

// String: SHA-256 hex of an API key -> account id.
inline std::string ApiKey(const std::string& key_hash) { return "apikey:" + key_hash; }

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

// Consumer groups.
inline constexpr const char* kSchedGroup = "sched";
inline constexpr const char* kReportGroup = "report";
// The stream field holding the protobuf payload of an entry.
inline constexpr const char* kPayloadField = "e";

}  // namespace smsgw::keys
