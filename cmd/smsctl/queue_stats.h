#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "redis/redis.h"

namespace smsgw::smsctl {

// One consumer group of a stream (XINFO GROUPS; Redis 7 gives the lag).
struct GroupInfo {
  std::string name;
  int64_t consumers = 0;
  int64_t pending = 0;
  std::optional<int64_t> lag;  // absent when Redis cannot tell (entries deleted in between)
  std::string last_delivered;
};

// One row of `smsctl streams list`: a queue of one service level, or one account's stream.
struct QueueRow {
  std::string name;   // the Redis key, or "normal (N accounts)"
  std::string level;  // express, normal, retry, dlq, events
  int64_t length = 0;
  int64_t pending = 0;
  std::optional<int64_t> lag;
  std::optional<double> oldest_age_s;  // from the first entry's id (milliseconds since the epoch)
};

// What the queues hold now, read with a few pipelined round trips: the express stream, every
// active account's stream (SSCAN of q:active, XLEN in pipelines of 1,000), q:retry, q:dlq and
// ev:report, with their consumer groups.
struct QueueSnapshot {
  std::vector<QueueRow> levels;        // express, normal (the sum), retry, dlq, events
  std::vector<QueueRow> top_accounts;  // the `top` longest account streams, longest first
  int64_t active_accounts = 0;
};
Result<QueueSnapshot> ReadQueues(redis::Connection& redis, int top, int64_t now_ms);

// XINFO GROUPS of `stream` (none for a stream without groups; NotFound when it does not exist).
Result<std::vector<GroupInfo>> ReadGroups(redis::Connection& redis, const std::string& stream);

// The Redis key a user means: "express", "events"/"report", "dlq", an account id ("42"), or
// the key itself.
std::string StreamKey(const std::string& name);
// The consumer group that reads `stream`: report for ev:report, sched for the queues.
std::string DefaultGroup(const std::string& stream);

// Milliseconds since the epoch in a stream entry id ("1700000000000-0").
std::optional<int64_t> IdTimeMs(const std::string& id);

}  // namespace smsgw::smsctl
