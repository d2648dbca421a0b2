// lib/daemon's heartbeats and systemd watchdog, through the real sd_notify protocol: the test
// binds the unix datagram socket that NOTIFY_SOCKET names, as systemd does, and reads the pings.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "daemon/heartbeat.h"
#include "daemon/watchdog.h"

namespace smsgw::daemon {
namespace {

using std::chrono::milliseconds;

// systemd's side of sd_notify: a bound datagram socket.
class NotifySocket {
 public:
  NotifySocket() {
    path_ = "/tmp/smsgw-notify-" + std::to_string(getpid());
    unlink(path_.c_str());
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path_.c_str());
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    setenv("NOTIFY_SOCKET", path_.c_str(), 1);
  }
  ~NotifySocket() {
    unsetenv("NOTIFY_SOCKET");
    close(fd_);
    unlink(path_.c_str());
  }
  // The next datagram, or "" when none comes within `timeout`.
  std::string Receive(milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return "";
    char buf[512];
    const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }
  // Waits up to `within` for `count` pings; true if they came.
  bool Pings(int count, milliseconds within) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    int got = 0;
    while (got < count && std::chrono::steady_clock::now() < deadline) {
      if (Receive(milliseconds(100)).find("WATCHDOG=1") != std::string::npos) ++got;
    }
    return got >= count;
  }
  // Waits up to `within` for a silence of `quiet`; true if one came.
  bool Silence(milliseconds quiet, milliseconds within) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < deadline) {
      if (Receive(quiet).empty()) return true;
    }
    return false;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

// A loop that beats every 10 ms until paused or stopped.
struct Loop {
  Heartbeat beat{"test loop"};
  std::atomic<bool> paused{false}, stop{false};
  std::thread thread{[this] {
    while (!stop) {
      if (!paused) beat.Beat();
      std::this_thread::sleep_for(milliseconds(10));
    }
  }};
  ~Loop() {
    stop = true;
    thread.join();
  }
};

TEST(WatchdogTest, RequestedIntervalComesFromSystemd) {
  unsetenv("WATCHDOG_USEC");
  EXPECT_EQ(Watchdog::Requested().count(), 0);
  setenv("WATCHDOG_USEC", "400000", 1);
  unsetenv("WATCHDOG_PID");
  EXPECT_EQ(Watchdog::Requested(), std::chrono::microseconds(400000));
  unsetenv("WATCHDOG_USEC");
}

TEST(WatchdogTest, PingsWhileTheLoopBeatsAndStopsWhenItIsStuck) {
  NotifySocket systemd;
  Loop loop;
  // 400 ms: a ping every 100 ms; the loop counts as stuck after 200 ms without a beat.
  Watchdog watchdog(std::chrono::microseconds(400000));
  EXPECT_TRUE(systemd.Pings(3, milliseconds(5000)));

  loop.paused = true;
  // At most one ping may still be on its way; then none, for far longer than the interval.
  EXPECT_TRUE(systemd.Silence(milliseconds(1000), milliseconds(5000)));
  EXPECT_FALSE(StuckLoops(milliseconds(200)).empty());
  EXPECT_NE(StuckLoops(milliseconds(200))[0].find("test loop"), std::string::npos);

  loop.paused = false;
  EXPECT_TRUE(systemd.Pings(3, milliseconds(5000)));
}

TEST(WatchdogTest, APoolHeartbeatGoesStaleWhenThePoolRunsNothing) {
  NotifySocket systemd;
  std::atomic<bool> pool_runs{true};
  Heartbeat pool("test pool", [&](std::function<void()> task) {
    if (pool_runs) task();  // a pool whose threads are all stuck never runs it
  });
  Watchdog watchdog(std::chrono::microseconds(400000));
  EXPECT_TRUE(systemd.Pings(3, milliseconds(5000)));
  pool_runs = false;
  EXPECT_TRUE(systemd.Silence(milliseconds(1000), milliseconds(5000)));
  pool_runs = true;
  EXPECT_TRUE(systemd.Pings(2, milliseconds(5000)));
}

TEST(WatchdogTest, AnEndedLoopIsNoLongerWatched) {
  NotifySocket systemd;
  { Heartbeat gone("ended loop"); }
  Watchdog watchdog(std::chrono::microseconds(400000));
  EXPECT_TRUE(systemd.Pings(3, milliseconds(5000)));
  EXPECT_TRUE(StuckLoops(milliseconds(1)).empty());
}

TEST(WatchdogTest, ATickerIsGivenItsPeriod) {
  Heartbeat ticker("slow ticker", milliseconds(60000));
  EXPECT_TRUE(StuckLoops(milliseconds(0)).empty());
}

}  // namespace
}  // namespace smsgw::daemon
