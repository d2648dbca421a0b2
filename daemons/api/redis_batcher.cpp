#include "api/redis_batcher.h"

namespace smsgw::api {

RedisBatcher::RedisBatcher(GroupCommitOptions options, redis::Pool& pool)
    : commit_(
          options, [&pool](std::vector<redis::Command>& commands) { return Pipeline(pool, commands); },
          [](const std::string& why) { return Result<redis::Reply>(Status::Unavailable(why)); }, "redis batcher") {}

void RedisBatcher::Run(redis::Command command, Done done) {
  std::vector<redis::Command> one;
  one.push_back(std::move(command));
  commit_.Submit(std::move(one), [done = std::move(done)](std::vector<Result<redis::Reply>> replies) {
    done(std::move(replies.at(0)));
  });
}

std::vector<Result<redis::Reply>> RedisBatcher::Pipeline(redis::Pool& pool, std::vector<redis::Command>& commands) {
  Result<std::vector<redis::Reply>> replies = [&] {
    redis::Pool::Lease conn = pool.Acquire();
    return conn->Pipeline(commands);
  }();
  std::vector<Result<redis::Reply>> out;
  out.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    if (!replies.ok()) {
      out.emplace_back(replies.status());
    } else if (replies->at(i).is_error()) {
      out.emplace_back(redis::ErrorReply(commands[i].at(0), replies->at(i).str));
    } else {
      out.emplace_back(std::move(replies->at(i)));
    }
  }
  return out;
}

}  // namespace smsgw::api
