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
// ledger:hold_expiry and ledger:dirty are global keys, so these scripts are not yet Redis Cluster
// safe; sharding them per slot is part of the Cluster work.
namespace smsgw::ledger::lua {

// The sources; the Script objects at the end are what callers run.

// KEYS: acct, holds, hold_expiry, dirty. ARGV: message id, cost, expires at (ms), account id.
// Returns {result, balance}; result as v1::LedgerResult.
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
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4] .. ':' .. ARGV[1])
redis.call('SADD', KEYS[4], ARGV[4])
return {0, balance}
)lua";

// KEYS: acct, holds, hold_expiry. ARGV: message id, account id.
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
redis.call('ZREM', KEYS[3], ARGV[2] .. ':' .. ARGV[1])
return 0
)lua";

// Returns a hold's money to the balance exactly once, whether it was held or already charged.
// KEYS: acct, holds, hold_expiry, dirty, report stream.
// ARGV: message id, account id, final state (refunded|expired), event payload or "" (appended
// to the report stream in the same step, so an expiry is never refunded without its event).
// Returns {result, balance, duplicate (1 if it was refunded before)}.
inline constexpr const char* kRefund = R"lua(
local h = redis.call('HGET', KEYS[2], ARGV[1])
local balance = tonumber(redis.call('HGET', KEYS[1], 'balance') or '0')
if not h then
  redis.call('ZREM', KEYS[3], ARGV[2] .. ':' .. ARGV[1])
  return {4, balance, 0}
end
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
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3] .. ':' .. cost)
redis.call('ZREM', KEYS[3], ARGV[2] .. ':' .. ARGV[1])
redis.call('SADD', KEYS[4], ARGV[2])
if ARGV[4] ~= '' then redis.call('XADD', KEYS[5], '*', 'e', ARGV[4]) end
return {0, balance, 0}
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

// Loads an account from PostgreSQL into Redis unless Redis already has it (Redis is the hot copy;
// PostgreSQL's balance is the durable one as of the last flush).
// KEYS: acct. ARGV: status, name, price_normal, price_express, balance. Returns 1 if loaded.
inline constexpr const char* kLoadAccount = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'status', ARGV[1], 'name', ARGV[2], 'price_normal', ARGV[3],
             'price_express', ARGV[4])
  return 0
end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'name', ARGV[2], 'price_normal', ARGV[3],
           'price_express', ARGV[4], 'balance', ARGV[5], 'held', 0, 'charged', 0, 'refunded', 0,
           'delta', 0)
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

// Ends a flush PostgreSQL has committed; drops the account from the dirty set when nothing is
// left to flush. KEYS: acct, dirty. ARGV: flush id, account id.
inline constexpr const char* kFlushDone = R"lua(
local f = redis.call('HGET', KEYS[1], 'flushing')
if f and string.sub(f, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. ':' then
  redis.call('HDEL', KEYS[1], 'flushing')
end
if not redis.call('HGET', KEYS[1], 'flushing') and tonumber(redis.call('HGET', KEYS[1], 'delta') or '0') == 0 then
  redis.call('SREM', KEYS[2], ARGV[2])
end
return 0
)lua";

// Loaded (by SHA) once per process, shared by every caller.
inline const redis::Script kDebitScript(kDebit);
inline const redis::Script kCaptureScript(kCapture);
inline const redis::Script kRefundScript(kRefund);
inline const redis::Script kApplyTopUpScript(kApplyTopUp);
inline const redis::Script kLoadAccountScript(kLoadAccount);
inline const redis::Script kFlushTakeScript(kFlushTake);
inline const redis::Script kFlushDoneScript(kFlushDone);

}  // namespace smsgw::ledger::lua
