// Scheduler: the slower periodic work: the ledger's waiting messages, due retries, taking over
// a dead instance's entries and keeping ours, re-reading our own pending entries, expiring
// messages whose receipt never came, steering the express share.

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/time.h"
#include "sched/pick.h"
#include "sched/receipt_waits.h"
#include "sched/scheduler.h"

namespace smsgw::sched {
namespace {

constexpr int kRetryMoveBatch = 500;
constexpr int64_t kRetryMoveEveryMs = 250;
constexpr int64_t kPendingRescanMs = 30000;
constexpr int kClaimStreams = 256;  // account streams looked at per claim pass
constexpr int64_t kWaitSweepEveryMs = 1000;
constexpr int kWaitSweepBatch = 2000;

}  // namespace

void Scheduler::RetryWaiting() {
  if (waiting_.empty() || !ledger_pause_.Ready(NowMs())) return;
  std::vector<Job> jobs;
  jobs.swap(waiting_);
  for (Job& job : jobs) {
    if (job.facts.capture == CaptureFact::kCallFailed) job.facts.capture = CaptureFact::kNotAsked;
    if (job.facts.refund == RefundFact::kCallFailed) job.facts.refund = RefundFact::kNotAsked;
  }
  Advance(std::move(jobs));
  if (waiting_.empty()) {
    if (ledger_pause_.failures() > 0) spdlog::info("ledger answers again");
    ledger_pause_.Succeeded();
  }
}

void Scheduler::MoveDueRetries() {
  const int64_t now = NowMs();
  if (now - last_retry_move_ms_ < kRetryMoveEveryMs) return;
  last_retry_move_ms_ = now;
  if (Result<int64_t> moved = reader_.MoveDueRetries(now, kRetryMoveBatch); !moved.ok()) {
    spdlog::error("moving retries: {}", moved.status().ToString());
  }
}

void Scheduler::ClaimAndTouch() {
  // A quarter of the idle time between passes: ours are touched well before anyone may take
  // them, and a dead instance's are taken soon after they may be.
  const int64_t now = NowMs();
  const int64_t every = std::max<int64_t>(250, config_.claim_idle_ms / 4);
  if (now - last_claim_ms_ < every) return;
  last_claim_ms_ = now;
  std::vector<std::pair<std::string, std::string>> stale;
  for (auto& [key, held] : held_) {
    if (now - held.touched_ms < every) continue;
    stale.emplace_back(held.stream, held.entry_id);
    held.touched_ms = now;
  }
  if (Status s = reader_.Touch(stale); !s.ok()) spdlog::warn("touching held entries: {}", s.ToString());
  if (Stuck()) return;
  const int capacity = Capacity();
  if (capacity <= 0) return;
  Result<std::vector<QueuedMessage>> claimed = reader_.Claim(config_.claim_idle_ms, kClaimStreams, capacity);
  if (!claimed.ok()) {
    spdlog::warn("taking over idle entries: {}", claimed.status().ToString());
    return;
  }
  if (claimed->empty()) return;
  const size_t n = claimed->size();
  const int taken = Take(std::move(claimed).value());
  spdlog::info("took over {} entries idle for {} ms (a scheduler that died or stopped); {} new to us", n,
               config_.claim_idle_ms, taken);
}

void Scheduler::RescanPending() {
  // With a link to send through and nothing stuck; the first turn that can, then periodically.
  const int64_t now = NowMs();
  if (!first_rescan_ && now - last_rescan_ms_ < kPendingRescanMs) return;
  if (Stuck() || Capacity() <= 0) return;
  last_rescan_ms_ = now;
  const bool everywhere = first_rescan_ && stable_consumer_;
  first_rescan_ = false;
  Result<std::vector<QueuedMessage>> pending = reader_.ReadOwnPending(everywhere);
  if (!pending.ok()) {
    spdlog::error("reading own pending entries: {}", pending.status().ToString());
    return;
  }
  const size_t seen = pending->size();
  const int taken = Take(std::move(pending).value());
  if (taken > 0) {
    spdlog::info("{} of {} pending entries were no longer held (an earlier run, or a lost outcome); taken again",
                 taken, seen);
  }
}

void Scheduler::ExpireUnreceipted() {
  // Messages whose final receipt never came (receipt_waits.h): expired, the charge stands.
  // Their events and removals go through the outbox, so they land or are retried; not while
  // writes fail, so one pass never reads what the last has not yet removed.
  const int64_t now = NowMs();
  if (now - last_wait_sweep_ms_ < kWaitSweepEveryMs || Stuck()) return;
  last_wait_sweep_ms_ = now;
  Result<redis::Reply> due = conn_.Run(DueWaitsCommand(now, kWaitSweepBatch));
  if (!due.ok()) {
    spdlog::warn("reading messages waiting for receipts: {}", due.status().ToString());
    return;
  }
  if (due->elements.empty()) return;
  for (const redis::Reply& member : due->elements) {
    outbox_.Add(NoReceiptCommands(member.str, config_.receipt_wait_s, now));
  }
  spdlog::info("{} message(s) had no delivery receipt within {} s: expired", due->elements.size(),
               config_.receipt_wait_s);
}

void Scheduler::Steer(double latency_ms, int64_t now_ms) {
  const double dt = last_steer_ms_ > 0 ? static_cast<double>(now_ms - last_steer_ms_) / 1000.0 : 0.0;
  express_latency_ms_ = latency_ms;
  express_share_ = NextExpressShare(express_share_, latency_ms, config_.express_sla_ms, config_.normal_min_share, dt);
  metrics_.ExpressShare(express_share_);
}

}  // namespace smsgw::sched
