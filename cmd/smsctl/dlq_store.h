#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "proto/smsgw.pb.h"
#include "redis/redis.h"

namespace smsgw::smsctl {

// One entry of q:dlq as smsgw-sched wrote it (daemons/sched/outcomes.h DeadLetterCommands).
struct DeadLetter {
  std::string entry;   // the stream entry id
  v1::Envelope envelope;
  std::string stream;  // the queue it came from
  std::string error;
  int32_t attempts = 0;
  int64_t at_ms = 0;
};

// Which dead letters a command acts on: the named entries, or those of one account, or all;
// and at most `limit` of them (0: no limit), newest first.
struct DlqFilter {
  std::vector<std::string> entries;
  int64_t account = 0;
  bool all = false;
  int64_t before_ms = 0;  // only those dead-lettered before this time (0: any)
  size_t limit = 0;
};

// Reads the dead letters `filter` selects. Named entries that do not exist are kNotFound.
Result<std::vector<DeadLetter>> ReadDeadLetters(redis::Connection& redis, const DlqFilter& filter);

}  // namespace smsgw::smsctl
