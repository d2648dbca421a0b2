#include "api/dependency_monitor.h"

#include <spdlog/spdlog.h>

namespace smsgw::api {

DependencyMonitor::DependencyMonitor(Probes probes, Limits limits, std::chrono::milliseconds interval)
    : probes_(std::move(probes)), limits_(limits), interval_(interval) {}

DependencyMonitor::~DependencyMonitor() { Stop(); }

void DependencyMonitor::Start() {
  CheckOnce();
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, interval_, [&] { return stopping_; })) {
      lock.unlock();
      CheckOnce();
      lock.lock();
    }
  });
}

void DependencyMonitor::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DependencyMonitor::CheckOnce() {
  DependencyReport r;
  try {
    probes_.redis(&r);
    const Status ledger = probes_.ledger();
    r.ledger = ledger.ok();
    r.ledger_error = ledger.ToString();
    const Status report = probes_.report();
    r.report = report.ok();
    r.report_error = report.ToString();
  } catch (const std::exception& e) {  // a probe must not take the monitor down
    spdlog::error("dependency check: {}", e.what());
  }
  std::lock_guard lock(mu_);
  if (r.report != last_.report || r.ledger != last_.ledger || r.redis != last_.redis || r.loaded != last_.loaded) {
    spdlog::info("dependencies: redis {}{}, ledger {}, report {}", r.redis ? "up" : "DOWN",
                 r.redis && !r.loaded ? " (not loaded: ledger:ready missing)" : "", r.ledger ? "up" : "DOWN",
                 r.report ? "up" : "DOWN");
  }
  if (!r.report && (last_.report || report_down_since_ == std::chrono::steady_clock::time_point())) {
    report_down_since_ = std::chrono::steady_clock::now();
  }
  last_ = std::move(r);
}

DependencyReport DependencyMonitor::Last() const {
  std::lock_guard lock(mu_);
  return last_;
}

Status DependencyMonitor::AdmitSends() const {
  std::lock_guard lock(mu_);
  if (last_.express_backlog > limits_.max_express_backlog) {
    return Status::Unavailable("q:express holds " + std::to_string(last_.express_backlog) + " messages (limit " +
                               std::to_string(limits_.max_express_backlog) + ")");
  }
  if (last_.report_backlog > limits_.max_report_backlog) {
    return Status::Unavailable("ev:report holds " + std::to_string(last_.report_backlog) + " events (limit " +
                               std::to_string(limits_.max_report_backlog) + ")");
  }
  if (!last_.report && std::chrono::steady_clock::now() - report_down_since_ > limits_.report_grace) {
    return Status::Unavailable("smsgw-report unreachable: " + last_.report_error);
  }
  return Status::Ok();
}

Status DependencyMonitor::Ready() const {
  std::lock_guard lock(mu_);
  if (!last_.redis) return Status::Unavailable("redis: " + last_.redis_error);
  if (!last_.loaded) return Status::Unavailable("redis: not loaded (ledger:ready missing; smsgw-ledger rebuilds it)");
  if (!last_.ledger) return Status::Unavailable("smsgw-ledger: " + last_.ledger_error);
  if (!last_.report) return Status::Unavailable("smsgw-report: " + last_.report_error);
  return Status::Ok();
}

}  // namespace smsgw::api
