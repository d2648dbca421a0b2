#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "config/config.h"

namespace smsgw::api {

// Listens on Redis channel smsgw:auth (contract 2 with smsgw-ledger): "key <sha256 hex>" after
// a key is revoked, "account <id>" after an account is disabled or enabled. Each message drops
// those entries from this instance's auth cache, so a revoked key is refused at once. While not
// subscribed (Redis down, reconnecting) messages may be missed: `subscribed()` is false, and on
// every (re)subscription the whole cache is dropped. Runs its own thread and connection.
class AuthEvents {
 public:
  struct Handlers {
    std::function<void(const std::string& key_hash)> key;
    std::function<void(int64_t account_id)> account;
    std::function<void()> all;  // forget everything (after a (re)subscription)
    std::function<void(bool)> subscribed;  // whether messages are heard now
  };

  AuthEvents(config::RedisConfig redis, Handlers handlers);
  ~AuthEvents();  // Stop()s
  AuthEvents(const AuthEvents&) = delete;
  AuthEvents& operator=(const AuthEvents&) = delete;

  void Start();
  void Stop();
  bool subscribed() const { return subscribed_.load(); }

  // Applies one message's text; false when it is neither form (logged, ignored).
  static bool Apply(const std::string& message, const Handlers& handlers);

 private:
  void Loop();

  const config::RedisConfig redis_;
  const Handlers handlers_;
  std::atomic<bool> subscribed_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace smsgw::api
