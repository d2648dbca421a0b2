#pragma once

// The scheduler's Redis Lua scripts: each keeps a queue change and its bookkeeping atomic.
namespace smsgw::sched::lua {

// Drops an account from q:active once its stream is empty. The API adds it back after every
// XADD, so an XADD racing with this either lands before (XLEN > 0, kept) or re-adds it.
// KEYS: account stream, q:active. ARGV: account id. Returns 1 if removed.
inline constexpr const char* kDeactivateIfEmpty = R"lua(
if redis.call('XLEN', KEYS[1]) == 0 then
  return redis.call('SREM', KEYS[2], ARGV[1])
end
return 0
)lua";

// Moves retries that are due back to their streams. Members are "<stream key>\n<envelope>".
// KEYS: q:retry, q:active. ARGV: now (ms), max count. Returns how many moved.
inline constexpr const char* kMoveDueRetries = R"lua(
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(due) do
  local nl = string.find(member, '\n', 1, true)
  local stream = string.sub(member, 1, nl - 1)
  redis.call('XADD', stream, '*', 'e', string.sub(member, nl + 1))
  local account = string.match(stream, '^{a:(%d+)}:q$')
  if account then redis.call('SADD', KEYS[2], account) end
  redis.call('ZREM', KEYS[1], member)
end
return #due
)lua";

// Matches one part's final receipt to its message, or parks it. The receipt key holds
// "<account>:<message id>:<parts>"; a message of several parts is final when every part's
// receipt is in, and undelivered if any part was (else expired if any part was).
// Safe to run twice for one receipt (a pipeline whose replies were lost is sent again): the
// receipt key is not deleted but kept a short while (ARGV[3]), and parts are counted by their
// key in a hash, so the same answer comes back; a second event for it is harmless downstream.
//
// A receipt whose key is not there (yet: another scheduler instance submitted it and has not
// written the key, review M4) is parked: its state and words go to the park key and its name
// to the parked set, and it is tried again (ARGV[4] = 'parked') until the key appears or its
// time is up, when it goes to the unmatched stream (kept for inspection, trimmed) and counted.
// A parked receipt that matches a final state stays parked: the scheduler removes it
// (SettleParkedCommands) once its refund and event have landed, so a crash in between leaves
// it to be matched again, with the same answer.
// A message's final state takes it out of the receipt waits (KEYS[6], receipt_waits.h): its
// receipt came, so the sweep for receipts that never come leaves it alone.
// KEYS: receipt key, park key, parked zset, unmatched stream, unmatched counter, receipt waits.
// ARGV: state name ('' when retrying: the park key has it), counter TTL (s), matched key TTL
// (s), mode ('new' | 'parked'), parked member, now (ms), park TTL (s), give up before (ms),
// words ("stat:.. err:.." and the text, for the unmatched stream), unmatched max length.
// Returns {account, message id, final state or '' while parts remain, words}, or {'parked'},
// {'unmatched'}, {'gone'} (a parked receipt another instance settled).
inline constexpr const char* kMatchReceipt = R"lua(
local state = ARGV[1]
local words = ARGV[9]
local parked = ARGV[4] == 'parked'
if parked then
  local p = redis.call('GET', KEYS[2])
  if not p then
    redis.call('ZREM', KEYS[3], ARGV[5])
    return {'gone'}
  end
  local tab = string.find(p, '\t', 1, true)
  state = string.sub(p, 1, tab - 1)
  words = string.sub(p, tab + 1)
end
local v = redis.call('GET', KEYS[1])
if not v then
  if not parked then
    redis.call('SET', KEYS[2], state .. '\t' .. words, 'EX', tonumber(ARGV[7]))
    redis.call('ZADD', KEYS[3], 'NX', ARGV[6], ARGV[5])
    return {'parked'}
  end
  local since = tonumber(redis.call('ZSCORE', KEYS[3], ARGV[5]) or ARGV[6])
  if since >= tonumber(ARGV[8]) then return {'parked'} end
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[10], '*', 'receipt', ARGV[5], 'state', state,
             'words', words, 'parked_at_ms', tostring(since))
  redis.call('INCR', KEYS[5])
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[3], ARGV[5])
  return {'unmatched'}
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
local account, msg, parts = string.match(v, '^(%d+):([^:]+):(%d+)$')
if not account then return false end
local waiting = account .. ':' .. msg
if tonumber(parts) <= 1 then
  redis.call('ZREM', KEYS[6], waiting)
  return {account, msg, state, words}
end
local counter = 'dlrparts:' .. msg
redis.call('HSETNX', counter, KEYS[1], state)
redis.call('EXPIRE', counter, tonumber(ARGV[2]))
if redis.call('HLEN', counter) < tonumber(parts) then
  if parked then
    redis.call('DEL', KEYS[2])
    redis.call('ZREM', KEYS[3], ARGV[5])
  end
  return {account, msg, '', words}
end
redis.call('EXPIRE', counter, tonumber(ARGV[3]))
local worst = 'delivered'
for _, s in ipairs(redis.call('HVALS', counter)) do
  if s == 'undelivered' then worst = s elseif s ~= 'delivered' and worst == 'delivered' then worst = s end
end
redis.call('ZREM', KEYS[6], waiting)
return {account, msg, worst, words}
)lua";

// The express latency every scheduler instance steers by (DESIGN.md section 5): an
// exponentially weighted average of accepted -> submitted, updated by whichever instance
// submitted express messages. KEYS: sched:express. ARGV: sample (ms; '' to only read), weight
// of the sample (0..1), now (ms). Returns {average as text, ms since the last sample}.
inline constexpr const char* kExpressLatency = R"lua(
local avg = tonumber(redis.call('HGET', KEYS[1], 'latency_ms') or '0')
local at = tonumber(redis.call('HGET', KEYS[1], 'at_ms') or '0')
if ARGV[1] ~= '' then
  local sample = tonumber(ARGV[1])
  if at == 0 then avg = sample else avg = avg + tonumber(ARGV[2]) * (sample - avg) end
  at = tonumber(ARGV[3])
  redis.call('HSET', KEYS[1], 'latency_ms', tostring(avg), 'at_ms', ARGV[3])
end
return {tostring(avg), tonumber(ARGV[3]) - at}
)lua";

// An operator's submit rate shared by every scheduler instance: GCRA on the key's theoretical
// arrival time (microseconds, Redis's clock, so instances' clocks do not matter). Grants up to
// ARGV[3] submits at once, no more than the burst allows now.
// KEYS: tps:<operator>. ARGV: emission interval (us per submit), burst (submits), wanted.
// Returns {granted, microseconds until the next submit is allowed}.
inline constexpr const char* kTakeSubmits = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local allowed = math.floor((now + burst * interval - tat) / interval)
local granted = math.min(tonumber(ARGV[3]), math.max(0, allowed))
tat = tat + granted * interval
redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.floor((tat - now) / 1000) + 1000)
local wait = tat - (now + (burst - 1) * interval)
if wait < 0 then wait = 0 end
return {granted, math.floor(wait)}
)lua";

}  // namespace smsgw::sched::lua
