#pragma once

#include "redis/redis.h"

// The ledger's Redis Lua scripts. Each runs atomically inside Redis, which is what serialises
// concurrent debits of one account: a debit succeeds iff balance >= cost at that instant.
//
// Account hash {a:<id>}:acct fields: balance (spendable), held (debited, not yet captured),
// charged (captured, cumulative), refunded (returned after capture, cumulative), delta (balance
// change not yet flushed to PostgreSQL), flushing ("<flush id>:<amount>" while a flush is in
// flight), status, name, price_normal, price_express.
// Invariant per account: top-ups = balance + held + charged - refunded.
//
// Holds hash {a:<id>}:holds: message id -> "<state>:<cost>", state held|charged|refunded|expired.
//
// Every script touches the keys of one account only, all under its {a:<id>} hash tag, so each
// runs in one Redis Cluster slot. The global keys (ledger:hold_expiry, ledger:dirty,
// ev:report) are written by plain commands that the C++ puts in the same pipeline, ordered so
// that a crash after any prefix of it loses nothing; an entry too many is harmless, one too few
// is not:
// - Debit: SADD ledger:dirty and ZADD NX ledger:hold_expiry before the script (the flusher then
//   finds delta 0, the sweeper no hold), SADD ledger:dirty again after it (a flush between the
//   first SADD and the script may have taken the account out of the set).
// - Capture: ZREM from ledger:hold_expiry after the script.
// - Refund: SADD ledger:dirty before and after, as Debit. The index entry stays until the
//   sweeper drops it (see holds.cpp).
// - Expiry (sweeper): this account's script, then the `expired` events and the ZREM in a
//   following pipeline; a hold found already expired is re-sent its event (see maintenance.cpp).
// - Flush: SREM ledger:dirty before the check that puts the account back if a delta is left.
// A crash between a script and the SADD after it is caught at start: kLoadAccount reports
// every account with an unflushed delta.
namespace smsgw::ledger::lua {

// The sources; the Script objects at the end are what callers run.

// KEYS: acct, holds. ARGV: message id, cost.
// Returns {result, balance}; result as v1::LedgerResult. A message id already held, charged or
// refunded changes nothing and answers OK: one hold per message id.
inline constexpr const char* kDebit = R"lua(
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {2, 0} end
local balance = tonumber(redis.call('HGET', KEYS[1], 'balance') or '0')
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return {0, balance} end
if status ~= 'active' then return {3, balance} end
local cost = tonumber(ARGV[2])
if balance < cost then return {1, balance} end
balance = redis.call('HINCRBY', KEYS[1], 'balance', -cost)
redis.call('HINCRBY', KEYS[1], 'held', cost)
redis.call('HINCRBY', KEYS[1], 'delta', -cost)
redis.call('HSET', KEYS[2], ARGV[1], 'held:' .. ARGV[2])
return {0, balance}
)lua";

// KEYS: acct, holds. ARGV: message id.
// Returns result: 0 captured (or already was), 4 no such hold, 5 refunded or expired.
inline constexpr const char* kCapture = R"lua(
local h = redis.call('HGET', KEYS[2], ARGV[1])
if not h then return 4 end
local state, cost = string.match(h, '^(%a+):(%d+)$')
if state == 'charged' then return 0 end
if state ~= 'held' then return 5 end
redis.call('HSET', KEYS[2], ARGV[1], 'charged:' .. cost)
redis.call('HINCRBY', KEYS[1], 'held', -tonumber(cost))
redis.call('HINCRBY', KEYS[1], 'charged', tonumber(cost))
return 0
)lua";

// Returns a hold's money to the balance exactly once, whether it was held or already charged.
// KEYS: acct, holds. ARGV: message id.
// Returns {result, balance, duplicate (1 if it was refunded or expired before)}.
inline constexpr const char* kRefund = R"lua(
local h = redis.call('HGET', KEYS[2], ARGV[1])
local balance = tonumber(redis.call('HGET', KEYS[1], 'balance') or '0')
if not h then return {4, balance, 0} end
local state, cost = string.match(h, '^(%a+):(%d+)$')
if state == 'refunded' or state == 'expired' then return {0, balance, 1} end
cost = tonumber(cost)
if state == 'held' then
  redis.call('HINCRBY', KEYS[1], 'held', -cost)
else
  redis.call('HINCRBY', KEYS[1], 'refunded', cost)
end
balance = redis.call('HINCRBY', KEYS[1], 'balance', cost)
redis.call('HINCRBY', KEYS[1], 'delta', cost)
redis.call('HSET', KEYS[2], ARGV[1], 'refunded:' .. cost)
return {0, balance, 0}
)lua";

// The sweeper's step for one due entry of ledger:hold_expiry. Only a hold still `held` expires:
// one captured since the sweeper read the index (its message is being sent) or refunded keeps
// its state and money (review C1).
// KEYS: acct, holds. ARGV: message id.
// Returns 0 nothing to expire (charged, refunded or no hold: only the index entry goes),
// 1 expired now (money back to the balance), 2 expired on an earlier pass (its event may not
// have been appended: send it again).
inline constexpr const char* kExpire = R"lua(
local h = redis.call('HGET', KEYS[2], ARGV[1])
if not h then return 0 end
local state, cost = string.match(h, '^(%a+):(%d+)$')
if state == 'expired' then return 2 end
if state ~= 'held' then return 0 end
cost = tonumber(cost)
redis.call('HINCRBY', KEYS[1], 'held', -cost)
redis.call('HINCRBY', KEYS[1], 'balance', cost)
redis.call('HINCRBY', KEYS[1], 'delta', cost)
redis.call('HSET', KEYS[2], ARGV[1], 'expired:' .. cost)
return 1
)lua";

// Applies a top-up that PostgreSQL has already committed, once per reference.
// KEYS: acct, topups. ARGV: reference, amount. Returns {result, balance, duplicate}.
inline constexpr const char* kApplyTopUp = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return {2, 0, 0} end
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then
  return {0, tonumber(redis.call('HGET', KEYS[1], 'balance')), 1}
end
return {0, redis.call('HINCRBY', KEYS[1], 'balance', tonumber(ARGV[2])), 0}
)lua";

// An account's settings as PostgreSQL has them, from ARGV[i] on: status, name, price_normal,
// price_express, weight, rate_rps, rate_burst (rate 0: none of its own; the fields go, and the
// API's configured rate applies). Prepended to the scripts that write settings.
inline constexpr const char* kSettingsLib = R"lua(
local function set_settings(key, i)
  redis.call('HSET', key, 'status', ARGV[i], 'name', ARGV[i + 1], 'price_normal', ARGV[i + 2],
             'price_express', ARGV[i + 3], 'weight', ARGV[i + 4])
  if ARGV[i + 5] == '0' then
    redis.call('HDEL', key, 'rate_rps', 'rate_burst')
  else
    redis.call('HSET', key, 'rate_rps', ARGV[i + 5], 'rate_burst', ARGV[i + 6])
  end
end
)lua";

// Loads an account from PostgreSQL into Redis unless Redis already has it (Redis is the hot copy;
// PostgreSQL's balance is the durable one as of the last flush); the settings are written either way.
// KEYS: acct. ARGV: balance, then the settings (kSettingsLib).
// Returns {loaded (1 if it was loaded), unflushed (1 if Redis has a delta or a flush in flight
// for it, which the caller marks dirty: a crash may have lost that mark)}.
inline constexpr const char* kLoadAccount = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then
  set_settings(KEYS[1], 2)
  local unflushed = redis.call('HEXISTS', KEYS[1], 'flushing') == 1 or
                    tonumber(redis.call('HGET', KEYS[1], 'delta') or '0') ~= 0
  return {0, unflushed and 1 or 0}
end
set_settings(KEYS[1], 2)
redis.call('HSET', KEYS[1], 'balance', ARGV[1], 'held', 0, 'charged', 0, 'refunded', 0, 'delta', 0)
return {1, 0}
)lua";

// Writes an account's settings if Redis has the account (one it lacks is loaded whole later).
// KEYS: acct. ARGV: the settings (kSettingsLib). Returns 1 if written.
inline constexpr const char* kSetSettings = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
set_settings(KEYS[1], 1)
return 1
)lua";

// Starts a flush: moves delta into 'flushing' under a new flush id, unless a flush is already in
// flight (a crash left it), in which case that one is returned to be re-applied.
// KEYS: acct. ARGV: new flush id. Returns "<flush id>:<amount>" or false when nothing to flush.
inline constexpr const char* kFlushTake = R"lua(
local f = redis.call('HGET', KEYS[1], 'flushing')
if f then return f end
local d = tonumber(redis.call('HGET', KEYS[1], 'delta') or '0')
if d == 0 then return false end
redis.call('HINCRBY', KEYS[1], 'delta', -d)
local v = ARGV[1] .. ':' .. d
redis.call('HSET', KEYS[1], 'flushing', v)
return v
)lua";

// Ends a flush PostgreSQL has committed. KEYS: acct. ARGV: flush id.
// Returns 1 if the account still has something to flush (a delta, or another flush in flight).
inline constexpr const char* kFlushDone = R"lua(
local f = redis.call('HGET', KEYS[1], 'flushing')
if f and string.sub(f, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. ':' then
  redis.call('HDEL', KEYS[1], 'flushing')
end
if redis.call('HEXISTS', KEYS[1], 'flushing') == 1 or tonumber(redis.call('HGET', KEYS[1], 'delta') or '0') ~= 0 then
  return 1
end
return 0
)lua";

// Loaded (by SHA) once per process, shared by every caller.
inline const redis::Script kDebitScript(kDebit);
inline const redis::Script kCaptureScript(kCapture);
inline const redis::Script kRefundScript(kRefund);
inline const redis::Script kExpireScript(kExpire);
inline const redis::Script kApplyTopUpScript(kApplyTopUp);
inline const redis::Script kLoadAccountScript(std::string(kSettingsLib) + kLoadAccount);
inline const redis::Script kSetSettingsScript(std::string(kSettingsLib) + kSetSettings);
inline const redis::Script kFlushTakeScript(kFlushTake);
inline const redis::Script kFlushDoneScript(kFlushDone);

}  // namespace smsgw::ledger::lua
