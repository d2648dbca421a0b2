#include "metrics/poller.h"

#include <spdlog/spdlog.h>

namespace smsgw::metrics {

Poller::Poller(std::string name, std::chrono::milliseconds interval, std::function<void()> poll)
    : name_(std::move(name)), interval_(interval), poll_(std::move(poll)) {}

Poller::~Poller() { Stop(); }

void Poller::Start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void Poller::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Poller::Loop() {
  spdlog::debug("metrics: {} read every {} ms", name_, interval_.count());
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    poll_();
    lock.lock();
    cv_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace smsgw::metrics
