#pragma once

#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/status.h"
#include "daemon/heartbeat.h"

namespace smsgw::ledger {

// Runs `step` on a thread of its own every `interval`, or at once after Wake(), until
// destroyed; a failing step is logged and tried again next time.
class Ticker {
 public:
  template <typename Fn>
  Ticker(const char* name, std::chrono::milliseconds interval, Fn step)
      : thread_([this, name, interval, step] {
          // The watchdog knows this thread sleeps `interval` between turns (daemon/heartbeat.h).
          daemon::Heartbeat heartbeat(name, interval);
          std::unique_lock lock(mu_);
          while (true) {
            cv_.wait_for(lock, interval, [&] { return stop_ || woken_; });
            if (stop_) return;
            heartbeat.Beat();
            woken_ = false;
            lock.unlock();
            Status s = step();
            if (!s.ok()) spdlog::warn("{}: {}", name, s.ToString());
            lock.lock();
          }
        }) {}
  ~Ticker() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

  // Runs the step as soon as the one under way (if any) is done.
  void Wake() {
    {
      std::lock_guard lock(mu_);
      woken_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

}  // namespace smsgw::ledger
