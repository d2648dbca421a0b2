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

// Matches one part's final receipt to its message. The receipt key holds
// "<account>:<message id>:<parts>"; a message of several parts is final when every part's
// receipt is in, and undelivered if any part was (else expired if any part was).
// Safe to run twice for one receipt (a pipeline whose replies were lost is sent again): the
// receipt key is not deleted but kept a short while (ARGV[3]), and parts are counted by their
// key in a hash, so the same answer comes back; a second event for it is harmless downstream.
// KEYS: receipt key. ARGV: this part's final state name, counter TTL (s), matched key TTL (s).
// Returns false (unknown id), or {account, message id, final state or '' while parts remain}.
inline constexpr const char* kMatchReceipt = R"lua(
local v = redis.call('GET', KEYS[1])
if not v then return false end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
local account, msg, parts = string.match(v, '^(%d+):([^:]+):(%d+)$')
if not account then return false end
if tonumber(parts) <= 1 then return {account, msg, ARGV[1]} end
local counter = 'dlrparts:' .. msg
redis.call('HSETNX', counter, KEYS[1], ARGV[1])
redis.call('EXPIRE', counter, tonumber(ARGV[2]))
if redis.call('HLEN', counter) < tonumber(parts) then return {account, msg, ''} end
redis.call('EXPIRE', counter, tonumber(ARGV[3]))
local worst = 'delivered'
for _, state in ipairs(redis.call('HVALS', counter)) do
  if state == 'undelivered' then worst = state elseif state ~= 'delivered' and worst == 'delivered' then worst = state end
end
return {account, msg, worst}
)lua";

}  // namespace smsgw::sched::lua
