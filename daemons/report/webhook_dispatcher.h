#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "config/config.h"
#include "pg/pg.h"
#include "report_metrics.h"
#include "webhook/sender.h"

namespace smsgw::report {

struct DispatcherOptions {
  bool allow_private = false;     // [report] webhook_allow_private
  int max_connections = 64;       // at once, in all
  int max_per_host = 8;           // at once, to one host
  int timeout_ms = 10'000;        // per attempt
  int retry_base_ms = 10'000;     // first retry after about this; doubling, at most kMaxRetryMs
  int64_t give_up_ms = 86'400'000;  // no attempt later than this after the status change
  int poll_ms = 200;              // how often an idle sender looks for due deliveries
};

DispatcherOptions DispatcherOptionsFromConfig(const config::ReportConfig& config);

// The delay before retry number `attempt` (1: after the first failure): `base_ms` doubling, at
// most one hour, times a factor in [0.8, 1.2) drawn from `jitter` in [0, 1). Pure.
int64_t RetryDelayMs(int attempt, int64_t base_ms, double jitter);

// What a sender has done since it started; read from any thread.
struct DispatcherStats {
  std::atomic<int64_t> attempts{0};
  std::atomic<int64_t> delivered{0};
  std::atomic<int64_t> failed_attempts{0};
  std::atomic<int64_t> given_up{0};  // refused by the target policy or out of time
};

// Sends the status callbacks queued in webhook_deliveries (the writer queues them in the
// transaction that changes the status, so sending never holds up writing): claims due rows
// with a lease, POSTs webhooks signed with the account's secret (webhook/signature.h) or GETs
// Kannel dlr-urls (webhook/kannel_dlr.h) through webhook::HttpSender, and records each outcome:
// delivered on a 2xx answer; otherwise tried again after RetryDelayMs, until give_up_ms after
// the status change; at once failed when the target policy refuses the address.
//
// Run() on one thread (it loops until Stop()); Stop() and stats() from any other.
class WebhookDispatcher {
 public:
  // `pool` must outlive the dispatcher.
  WebhookDispatcher(DispatcherOptions options, pg::Pool* pool);

  void Run();
  void Stop();
  const DispatcherStats& stats() const { return stats_; }

 private:
  // Claims up to `n` due deliveries and hands them to the sender; how many it claimed.
  Result<int> Claim(int n);
  Status Record(const std::vector<webhook::Outcome>& outcomes);
  bool Sleep(std::chrono::milliseconds d);

  DispatcherOptions options_;
  pg::Pool* pool_;
  webhook::HttpSender sender_;
  DispatcherStats stats_;
  WebhookMetrics metrics_;
  std::unordered_map<int64_t, int> attempts_;  // in flight: delivery id -> attempt number
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace smsgw::report
