#pragma once

// The account scripts: settings, top-ups, and the comparison with PostgreSQL that reloads or
// corrects Redis (see lua_scripts.h for the account hash). Prepended with kMoneyLib.
namespace smsgw::ledger::lua {

// An account's settings as PostgreSQL has them, from ARGV[i] on: status, name, price_normal,
// price_express, weight, rate_rps, rate_burst (rate 0: none of its own; the fields go, and the
// API's configured rate applies).
inline constexpr const char* kSettingsLib = R"lua(
local function set_settings(i)
  redis.call('HSET', KEYS[1], 'status', ARGV[i], 'name', ARGV[i + 1], 'price_normal', ARGV[i + 2],
             'price_express', ARGV[i + 3], 'weight', ARGV[i + 4])
  if ARGV[i + 5] == '0' then
    redis.call('HDEL', KEYS[1], 'rate_rps', 'rate_burst')
  else
    redis.call('HSET', KEYS[1], 'rate_rps', ARGV[i + 5], 'rate_burst', ARGV[i + 6])
  end
end
)lua";

// Writes an account's settings if Redis has the account (one it lacks is loaded whole by the
// next comparison with PostgreSQL). KEYS: acct. ARGV: the settings. Returns 1 if written.
inline constexpr const char* kSetSettings = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
set_settings(1)
return 1
)lua";

// Applies a top-up that PostgreSQL has committed, once: by its sequence number within the
// account, against the hash's topup_seq (every top-up up to it is applied) and the set of
// those applied out of order, which this folds into topup_seq as the gaps close.
// KEYS: acct, topups. ARGV: seq, amount. Returns {result, balance, duplicate}.
inline constexpr const char* kApplyTopUp = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return {2, '0', 0} end
local seq = tonumber(ARGV[1])
local mark = tonumber(redis.call('HGET', KEYS[1], 'topup_seq') or '0')
if seq <= mark or redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then
  return {0, redis.call('HGET', KEYS[1], 'balance'), 1}
end
add('balance', ARGV[2])
add('topped_up', ARGV[2])
if seq == mark + 1 then
  while redis.call('SREM', KEYS[2], tostring(seq + 1)) == 1 do seq = seq + 1 end
  redis.call('HSET', KEYS[1], 'topup_seq', tostring(seq))
else
  redis.call('SADD', KEYS[2], ARGV[1])
end
return {0, redis.call('HGET', KEYS[1], 'balance'), 0}
)lua";

// Compares an account in Redis with PostgreSQL's copy and puts Redis right; writes the settings.
// KEYS: acct, topups. ARGV: the settings (7), then PostgreSQL's balance, held, charged,
// refunded, released, expired, topped_up, topup_seq, flush_seq.
// Returns {code, Redis's topup_seq, top-ups applied out of order, ...}:
//   0  in step with PostgreSQL;
//   1  Redis has changes PostgreSQL has not yet (the caller marks it dirty);
//   2  Redis lost changes PostgreSQL has: an AOF that lost its tail went back to an older, whole
//      state (its holds and queues went back with it), so PostgreSQL follows Redis: 'ops' moves
//      past flush_seq and the caller marks it dirty. Adds Redis's held, charged, refunded,
//      released, expired and its 'ops' before the move, for the log;
//   3  Redis did not have the account: loaded from PostgreSQL. The holds and queues went with
//      Redis and those messages will never be sent, so what PostgreSQL counts as held goes back
//      to the balance, counted as expired (review M8). Adds that amount. Marked dirty by the
//      caller, so PostgreSQL learns it.
// A hash written by an older smsgw (a 'delta' to flush, no 'ops') is converted: its counters
// are whole, and PostgreSQL then follows them as in case 2.
inline constexpr const char* kSyncAccount = R"lua(
local p = 8
-- A hash without a balance is not an account Redis had: at most settings written into an
-- emptied Redis by hand.
local existed = redis.call('HEXISTS', KEYS[1], 'balance') == 1
set_settings(1)
if not existed then
  redis.call('HSET', KEYS[1], 'balance', ARGV[p], 'held', '0', 'charged', ARGV[p + 2], 'refunded', ARGV[p + 3],
             'released', ARGV[p + 4], 'expired', ARGV[p + 5], 'topped_up', ARGV[p + 6], 'topup_seq', ARGV[p + 7],
             'ops', ARGV[p + 8])
  add('balance', ARGV[p + 1])
  add('expired', ARGV[p + 1])
  changed()
  redis.call('DEL', KEYS[2])
  return {3, ARGV[p + 7], 0, ARGV[p + 1]}
end
if not redis.call('HGET', KEYS[1], 'ops') then
  local o = redis.call('HMGET', KEYS[1], 'balance', 'held', 'charged', 'refunded')
  redis.call('HSET', KEYS[1], 'topped_up', o[1] or '0', 'released', '0', 'expired', '0', 'topup_seq', ARGV[p + 7],
             'ops', ARGV[p + 8])
  add('topped_up', o[2] or '0')
  add('topped_up', o[3] or '0')
  add('topped_up', neg(o[4] or '0'))
  changed()
  redis.call('HDEL', KEYS[1], 'delta', 'flushing')
  redis.call('DEL', KEYS[2])
end
local m = redis.call('HMGET', KEYS[1], 'ops', 'held', 'charged', 'refunded', 'released', 'expired', 'topup_seq')
local mark, waiting = m[7] or '0', redis.call('SCARD', KEYS[2])
local ops, flushed = tonumber(m[1]), tonumber(ARGV[p + 8])
if ops > flushed then return {1, mark, waiting} end
if ops == flushed and m[2] == ARGV[p + 1] and m[3] == ARGV[p + 2] and m[4] == ARGV[p + 3] and
   m[5] == ARGV[p + 4] and m[6] == ARGV[p + 5] then
  return {0, mark, waiting}
end
redis.call('HSET', KEYS[1], 'ops', ARGV[p + 8])
changed()
return {2, mark, waiting, m[2], m[3], m[4], m[5], m[6], m[1]}
)lua";

// After PostgreSQL skipped a flush because it already had a change counter at least as new
// (ARGV[1]): if Redis's is not newer, Redis went back (see kSyncAccount, case 2), and 'ops'
// moves past it so the next flush is taken. KEYS: acct. Returns {1 if it moved, 'ops' before}.
inline constexpr const char* kPassFlushed = R"lua(
local ops = redis.call('HGET', KEYS[1], 'ops')
if not ops or tonumber(ops) > tonumber(ARGV[1]) then return {0, 0} end
redis.call('HSET', KEYS[1], 'ops', ARGV[1])
changed()
return {1, ops}
)lua";

}  // namespace smsgw::ledger::lua
