#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace smsgw::metrics {

// Runs `poll` at once and then every `interval` on a thread of its own, from Start() until
// Stop() (or destruction): for gauges whose value costs a round trip to read (queue depths in
// Redis), so that neither a request, the daemon's loops nor a scrape ever waits for them. A
// poll that fails should leave its gauges as they were and log; the next one tries again.
// `poll` must not throw. Start and Stop from one thread.
class Poller {
 public:
  Poller(std::string name, std::chrono::milliseconds interval, std::function<void()> poll);
  ~Poller();  // Stop()s
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  void Start();
  // Wakes the thread and joins it; a poll under way finishes first. Idempotent.
  void Stop();

 private:
  void Loop();

  const std::string name_;
  const std::chrono::milliseconds interval_;
  const std::function<void()> poll_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace smsgw::metrics
