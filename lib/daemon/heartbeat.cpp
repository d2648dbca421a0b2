#include "daemon/heartbeat.h"

#include <algorithm>
#include <atomic>
#include <mutex>

namespace smsgw::daemon {

struct Heartbeat::State {
  std::string name;
  std::chrono::milliseconds period{0};
  Post post;
  std::atomic<int64_t> last_ns{0};

  void Beat() { last_ns.store(std::chrono::steady_clock::now().time_since_epoch().count(), std::memory_order_relaxed); }
};

namespace {

struct Beats {
  std::mutex mu;
  std::vector<std::shared_ptr<Heartbeat::State>> all;
};

Beats& Registered() {
  static Beats* beats = new Beats;  // never destroyed: loops may beat while the process exits
  return *beats;
}

void Register(const std::shared_ptr<Heartbeat::State>& state) {
  state->Beat();
  std::lock_guard lock(Registered().mu);
  Registered().all.push_back(state);
}

}  // namespace

Heartbeat::Heartbeat(std::string name, std::chrono::milliseconds period) : state_(std::make_shared<State>()) {
  state_->name = std::move(name);
  state_->period = period;
  Register(state_);
}

Heartbeat::Heartbeat(std::string name, Post post) : state_(std::make_shared<State>()) {
  state_->name = std::move(name);
  state_->post = std::move(post);
  Register(state_);
}

Heartbeat::~Heartbeat() {
  std::lock_guard lock(Registered().mu);
  std::erase(Registered().all, state_);
}

void Heartbeat::Beat() { state_->Beat(); }

std::vector<std::string> StuckLoops(std::chrono::milliseconds stuck_after) {
  const int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
  std::vector<std::string> stuck;
  std::lock_guard lock(Registered().mu);
  for (const auto& s : Registered().all) {
    const auto age = std::chrono::nanoseconds(now - s->last_ns.load(std::memory_order_relaxed));
    if (age > stuck_after + s->period) {
      stuck.push_back(s->name + " (" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(age).count()) +
                      " s)");
    }
  }
  return stuck;
}

void PokeHeartbeats() {
  std::vector<std::shared_ptr<Heartbeat::State>> pools;
  {
    std::lock_guard lock(Registered().mu);
    for (const auto& s : Registered().all) {
      if (s->post) pools.push_back(s);
    }
  }
  // The task holds the state, so a heartbeat destroyed while its task is queued is harmless.
  for (const auto& s : pools) s->post([s] { s->Beat(); });
}

}  // namespace smsgw::daemon
