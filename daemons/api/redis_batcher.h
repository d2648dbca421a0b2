#pragma once

#include <functional>
#include <vector>

#include "api/group_commit.h"
#include "common/status.h"
#include "redis/redis.h"

namespace smsgw::api {

// Small Redis commands of many requests (Idempotency-Key claims and records) in one pipeline,
// one round trip per batch: a GroupCommit whose batch is a pipeline. Thread-safe.
class RedisBatcher {
 public:
  using Done = std::function<void(Result<redis::Reply>)>;

  // `pool` must outlive the batcher.
  RedisBatcher(GroupCommitOptions options, redis::Pool& pool);

  // Runs `command` in the next pipeline and calls `done` once, on a batcher thread: the reply,
  // or Unavailable (connection failed, queue full, stopping), or the error reply as a Status.
  void Run(redis::Command command, Done done);

  void Stop() { commit_.Stop(); }

 private:
  static std::vector<Result<redis::Reply>> Pipeline(redis::Pool& pool, std::vector<redis::Command>& commands);

  GroupCommit<redis::Command, Result<redis::Reply>> commit_;
};

}  // namespace smsgw::api
