#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace smsgw::daemon {

// A daemon's loop says it is alive. The systemd watchdog ping (WATCHDOG=1) is sent only while
// every registered loop beats, and /healthz answers 503 naming a loop that stopped beating, so
// a loop stuck on a lock or a call that never returns gets the daemon restarted
// (WatchdogSec= and Restart=on-failure in its unit).
//
// A loop creates one Heartbeat when it starts and calls Beat() every turn. It counts as stuck
// when no beat came for half the watchdog interval (15 s with the units' WatchdogSec=30; 30 s
// without a watchdog) plus `period`: a loop that sleeps between turns (a ticker) gives its
// sleep as `period`. Beat() is one relaxed atomic store. The destructor unregisters it: a loop
// that ends is no longer watched.
class Heartbeat {
 public:
  explicit Heartbeat(std::string name, std::chrono::milliseconds period = std::chrono::milliseconds(0));
  ~Heartbeat();
  Heartbeat(const Heartbeat&) = delete;
  Heartbeat& operator=(const Heartbeat&) = delete;

  void Beat();

  // A heartbeat for a pool of threads that has no loop of its own: the watchdog hands `post` a
  // task that beats, on every check, and `post` queues it on the pool (boost::asio::post). If
  // the pool's threads are all stuck the task never runs and the heartbeat goes stale.
  // `post` runs on the watchdog's thread and must not block.
  using Post = std::function<void(std::function<void()>)>;
  Heartbeat(std::string name, Post post);

  struct State;

 private:
  std::shared_ptr<State> state_;
};

// Loops whose last beat is older than `stuck_after`, as "name (N s)".
std::vector<std::string> StuckLoops(std::chrono::milliseconds stuck_after);

// Asks every pool heartbeat to beat (the watchdog's check does this).
void PokeHeartbeats();

}  // namespace smsgw::daemon
