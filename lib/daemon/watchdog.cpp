#include "daemon/watchdog.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <algorithm>
#include <string>
#include <vector>

#include "daemon/heartbeat.h"

namespace smsgw::daemon {

std::chrono::microseconds Watchdog::Requested() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0) return std::chrono::microseconds(0);
  return std::chrono::microseconds(usec);
}

Watchdog::Watchdog(std::chrono::microseconds interval) : interval_(interval) {
  thread_ = std::thread([this] { Run(); });
}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Watchdog::Run() {
  const auto every = std::max<std::chrono::microseconds>(interval_ / 4, std::chrono::milliseconds(5));
  const auto stuck_after = std::chrono::duration_cast<std::chrono::milliseconds>(interval_ / 2);
  bool withheld = false;
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    PokeHeartbeats();
    const std::vector<std::string> stuck = StuckLoops(stuck_after);
    if (stuck.empty()) {
      sd_notify(0, "WATCHDOG=1");
      if (withheld) spdlog::warn("watchdog: every loop beats again");
      withheld = false;
    } else if (!withheld) {
      std::string names;
      for (const std::string& s : stuck) names += (names.empty() ? "" : ", ") + s;
      spdlog::error("watchdog: no heartbeat from {}; withholding the watchdog ping", names);
      withheld = true;
    }
    lock.lock();
    cv_.wait_for(lock, every, [&] { return stop_; });
  }
}

}  // namespace smsgw::daemon
