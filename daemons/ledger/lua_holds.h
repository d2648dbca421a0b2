#pragma once

// The hold scripts: Debit, Capture, Refund and the sweeper's Expire (see lua_scripts.h for the
// account hash they share and how their pipelines are ordered). KEYS of each: the account hash,
// then its hold buckets as keys::HoldBuckets lists them (the first is where a new hold goes; a
// Debit gets only the first three).
namespace smsgw::ledger::lua {

// Helpers prepended to every hold script.
// Money is read and written as decimal strings and never becomes a Lua number, which is a
// double (review m11): HINCRBY takes the string, ge() compares two of them digit by digit.
inline constexpr const char* kMoneyLib = R"lua(
local function neg(v)
  if v == '0' then return '0' end
  if string.sub(v, 1, 1) == '-' then return string.sub(v, 2) end
  return '-' .. v
end
local function add(field, v)
  if v ~= '0' then redis.call('HINCRBY', KEYS[1], field, v) end
end
-- a >= b, for integers written as Redis and std::to_string write them.
local function ge(a, b)
  local na, nb = string.sub(a, 1, 1) == '-', string.sub(b, 1, 1) == '-'
  if na ~= nb then return nb end
  if na then a, b = string.sub(b, 2), string.sub(a, 2) end
  if #a ~= #b then return #a > #b end
  for i = 1, #a do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x > y end
  end
  return true
end
-- Every change of the money counters moves 'ops', which a flush carries to PostgreSQL.
local function changed() redis.call('HINCRBY', KEYS[1], 'ops', 1) end
-- The hold of a message id, and the bucket it is in.
local function find(id)
  for i = 2, #KEYS do
    local h = redis.call('HGET', KEYS[i], id)
    if h then return h, KEYS[i] end
  end
  return nil, nil
end
local function parse(h) return string.match(h, '^(%a+):(%d+):?(%d*)$') end
local function put(id, value, expire_at)
  redis.call('HSET', KEYS[2], id, value)
  if redis.call('PTTL', KEYS[2]) < 0 then redis.call('PEXPIREAT', KEYS[2], expire_at) end
end
local function expire(bucket, id, cost)
  add('held', neg(cost))
  add('expired', cost)
  add('balance', cost)
  changed()
  redis.call('HSET', bucket, id, 'expired:' .. cost)
end
)lua";

// KEYS: the account hash, then only the current, next and previous buckets (a repeated Debit
// comes within seconds, not days; every bucket a lookup adds costs every new debit a call).
// ARGV: message id, cost, expires at (ms), the current bucket's expiry (ms).
// Returns {result, balance, ops (after this debit; 0 if it changed nothing)}, result as
// v1::LedgerResult. A message id already held or charged changes nothing and answers OK: one
// hold per message id. One refunded, expired or refunded before it came (void) answers
// HOLD_REFUNDED: that message must not be sent (review M9).
inline constexpr const char* kDebit = R"lua(
local a = redis.call('HMGET', KEYS[1], 'status', 'balance')
local status, balance = a[1], a[2]
if not status then return {2, '0', 0} end
local h = find(ARGV[1])
if h then
  local state = parse(h)
  if state == 'held' or state == 'charged' then return {0, balance, 0} end
  return {5, balance, 0}
end
if status ~= 'active' then return {3, balance, 0} end
if not ge(balance, ARGV[2]) then return {1, balance, 0} end
add('balance', neg(ARGV[2]))
add('held', ARGV[2])
local ops = redis.call('HINCRBY', KEYS[1], 'ops', 1)
put(ARGV[1], 'held:' .. ARGV[2] .. ':' .. ARGV[3], ARGV[4])
return {0, redis.call('HGET', KEYS[1], 'balance'), ops}
)lua";

// ARGV: message id, now (ms).
// Returns 0 captured (or already was), 4 no such hold, 5 refunded or expired. A hold past its
// expiry that the sweeper has not reached yet expires here and is not captured (review m2).
inline constexpr const char* kCapture = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 4 end
local h, bucket = find(ARGV[1])
if not h then return 4 end
local state, cost, expires = parse(h)
if state == 'charged' then return 0 end
if state ~= 'held' then return 5 end
if expires ~= '' and tonumber(expires) <= tonumber(ARGV[2]) then
  expire(bucket, ARGV[1], cost)
  return 5
end
redis.call('HSET', bucket, ARGV[1], 'charged:' .. cost)
add('held', neg(cost))
add('charged', cost)
changed()
return 0
)lua";

// Returns a hold's money to the balance exactly once, whether it was held (counted as
// released) or already charged (counted as refunded).
// ARGV: message id, the current bucket's expiry (ms).
// Returns {result, balance, duplicate (1 if it was refunded or expired before)}. With no hold
// the result is HOLD_UNKNOWN and a `void` tombstone is left, so that the debit it was meant
// for, should it still arrive, is refused (review M9).
inline constexpr const char* kRefund = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return {4, '0', 0} end
local h, bucket = find(ARGV[1])
if not h then
  put(ARGV[1], 'void:0', ARGV[2])
  return {4, redis.call('HGET', KEYS[1], 'balance'), 0}
end
local state, cost = parse(h)
if state == 'void' then return {4, redis.call('HGET', KEYS[1], 'balance'), 0} end
if state ~= 'held' and state ~= 'charged' then return {0, redis.call('HGET', KEYS[1], 'balance'), 1} end
if state == 'held' then
  add('held', neg(cost))
  add('released', cost)
else
  add('refunded', cost)
end
add('balance', cost)
changed()
redis.call('HSET', bucket, ARGV[1], 'refunded:' .. cost)
return {0, redis.call('HGET', KEYS[1], 'balance'), 0}
)lua";

// The sweeper's step for one due entry of ledger:hold_expiry. Only a hold still `held` expires:
// one captured since the sweeper read the index (its message is being sent) or refunded keeps
// its state and money (review C1).
// ARGV: message id.
// Returns 0 nothing to expire (charged, refunded or no hold: only the index entry goes),
// 1 expired now (money back to the balance), 2 expired before (by an earlier pass, or by a
// capture that came too late; its event may not have been appended: send it again).
inline constexpr const char* kExpire = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local h, bucket = find(ARGV[1])
if not h then return 0 end
local state, cost = parse(h)
if state == 'expired' then return 2 end
if state ~= 'held' then return 0 end
expire(bucket, ARGV[1], cost)
return 1
)lua";

}  // namespace smsgw::ledger::lua
