#include "api/auth_events.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>

#include "keys/keys.h"
#include "redis/redis.h"

namespace smsgw::api {
namespace {

constexpr std::chrono::milliseconds kPoll{250};          // how often the loop looks at stopping_
constexpr std::chrono::milliseconds kReconnectPause{500};

}  // namespace

AuthEvents::AuthEvents(config::RedisConfig redis, Handlers handlers)
    : redis_(std::move(redis)), handlers_(std::move(handlers)) {}

AuthEvents::~AuthEvents() { Stop(); }

void AuthEvents::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void AuthEvents::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool AuthEvents::Apply(const std::string& message, const Handlers& handlers) {
  const size_t space = message.find(' ');
  const std::string kind = message.substr(0, space);
  const std::string arg = space == std::string::npos ? "" : message.substr(space + 1);
  if (kind == "key" && !arg.empty()) {
    handlers.key(arg);
    return true;
  }
  int64_t id = 0;
  auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), id);
  if (kind == "account" && !arg.empty() && ec == std::errc() && end == arg.data() + arg.size()) {
    handlers.account(id);
    return true;
  }
  spdlog::warn("{}: ignoring message \"{}\"", keys::kAuthChannel, message);
  return false;
}

void AuthEvents::Loop() {
  auto stopping = [&](std::chrono::milliseconds pause) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, pause, [&] { return stopping_; });
  };
  while (!stopping(std::chrono::milliseconds(0))) {
    Result<std::unique_ptr<redis::Connection>> conn = redis::Connection::Open(redis_);
    Result<redis::Reply> sub = conn.ok() ? (*conn)->Run({"SUBSCRIBE", keys::kAuthChannel}) : conn.status();
    if (!sub.ok()) {
      spdlog::warn("{}: cannot subscribe ({}); the auth cache holds keys at most 1 s meanwhile", keys::kAuthChannel,
                   sub.status().ToString());
      if (stopping(kReconnectPause)) return;
      continue;
    }
    handlers_.all();  // what was published while we were away is lost: start clean
    subscribed_ = true;
    handlers_.subscribed(true);
    while (!stopping(std::chrono::milliseconds(0))) {
      Result<std::optional<redis::Reply>> pushed = (*conn)->WaitPushed(kPoll);
      if (!pushed.ok()) {
        spdlog::warn("{}: {}", keys::kAuthChannel, pushed.status().ToString());
        break;
      }
      if (!*pushed) continue;
      const redis::Reply& m = **pushed;  // ["message", channel, payload]
      if (m.type == redis::Reply::Type::kArray && m.elements.size() == 3 && m.elements[0].str == "message") {
        Apply(m.elements[2].str, handlers_);
      }
    }
    subscribed_ = false;
    handlers_.subscribed(false);
  }
}

}  // namespace smsgw::api
