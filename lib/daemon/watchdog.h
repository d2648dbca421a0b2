#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace smsgw::daemon {

// The systemd watchdog (sd_watchdog_enabled(3)): a thread that sends WATCHDOG=1 every quarter
// of the interval systemd asked for (WatchdogSec=, passed as WATCHDOG_USEC), but only while
// every Heartbeat beat within half of it. A stuck loop thus stops the pings, and systemd kills
// and restarts the daemon when the interval passes without one.
class Watchdog {
 public:
  // The interval systemd asked for, or zero when it asked for none (not under systemd, or no
  // WatchdogSec=).
  static std::chrono::microseconds Requested();

  explicit Watchdog(std::chrono::microseconds interval);
  ~Watchdog();  // stops the thread; no ping after it returns
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  void Run();

  std::chrono::microseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace smsgw::daemon
