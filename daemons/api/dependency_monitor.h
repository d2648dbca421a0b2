#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"

// What smsgw-api depends on, checked in the background every `interval`, so that /readyz and
// the send path's backpressure never wait on a dependency (review m16; DESIGN.md section 7).
namespace smsgw::api {

// One round of checks.
struct DependencyReport {
  bool redis = false;   // PING answered
  bool loaded = false;  // ledger:ready is set (contract 3): Redis holds every account and key
  bool ledger = false;  // smsgw-ledger answered a call
  bool report = false;  // smsgw-report answered a call
  int64_t express_backlog = 0;  // XLEN q:express
  int64_t report_backlog = 0;   // XLEN ev:report: events smsgw-report has not written yet
  std::string redis_error, ledger_error, report_error;
};

class DependencyMonitor {
 public:
  struct Probes {
    // Fills redis, loaded and the backlogs (one Redis round trip); the others answer whether
    // their daemon is up. Each blocks for at most its own short deadline.
    std::function<void(DependencyReport*)> redis;
    std::function<Status()> ledger;
    std::function<Status()> report;
  };
  struct Limits {
    int64_t max_express_backlog = 100000;
    int64_t max_report_backlog = 1000000;
    // smsgw-report down for longer than this refuses sends: events wait in ev:report meanwhile,
    // so a restart does not turn customers away, but an outage does not grow it without end.
    std::chrono::milliseconds report_grace{10000};
  };

  DependencyMonitor(Probes probes, Limits limits, std::chrono::milliseconds interval);
  ~DependencyMonitor();  // Stop()s
  DependencyMonitor(const DependencyMonitor&) = delete;
  DependencyMonitor& operator=(const DependencyMonitor&) = delete;

  // Runs one round now (so the first answers are real), then one every interval on a thread.
  void Start();
  void Stop();

  DependencyReport Last() const;
  // OK when new messages may be accepted, else Unavailable naming why: a backlog over its
  // limit, or smsgw-report unreachable for longer than report_grace. (Redis and the ledger
  // are not judged here: a send that needs them fails fast on its own, with 503.)
  Status AdmitSends() const;
  // OK when every dependency answered and Redis is loaded, else Unavailable naming the first
  // that is not.
  Status Ready() const;

 private:
  void CheckOnce();

  const Probes probes_;
  const Limits limits_;
  const std::chrono::milliseconds interval_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  DependencyReport last_;                                   // guarded by mu_
  std::chrono::steady_clock::time_point report_down_since_;  // guarded by mu_; valid while !last_.report
  bool stopping_ = false;                                   // guarded by mu_
  std::thread thread_;
};

}  // namespace smsgw::api
