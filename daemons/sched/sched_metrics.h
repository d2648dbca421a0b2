#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/registry.h"
#include "proto/smsgw.pb.h"
#include "sched/outcome_reasons.h"

namespace smsgw::sched {

// The scheduler's own figures, in metrics::Default():
//   smsgw_sched_submits_total{operator,outcome}   outcome: accepted, retry (transient failure,
//       back to q:retry), failed (dead-lettered after a submit), throttled (the operator asked
//       to slow down; sent again, no attempt spent)
//   smsgw_sched_receipts_total{operator,status}   final receipts matched: delivered,
//       undelivered, expired
//   smsgw_sched_retries_total{reason}, smsgw_sched_dead_letters_total{reason}  (outcome_reasons.h)
//   smsgw_sched_express_latency_seconds   accepted -> submitted of express first attempts; the
//       buckets include 70% of the SLA (the controller's aim) and the SLA itself, so the share
//       within the SLA is read off one bucket
//   smsgw_sched_express_sla_seconds, smsgw_sched_express_share   gauges
//   smsgw_sched_read_batch_size   messages per read that found some
// Every child of a configured operator and of each reason is made at construction (exported as
// 0 from the start); the updates are relaxed atomic operations on kept references. Used from
// the scheduler's loop thread; the registry may be scraped from any.
class SchedMetrics {
 public:
  enum class Submit : uint8_t { kAccepted, kRetry, kFailed, kThrottled };

  SchedMetrics(const std::vector<std::string>& operators, int express_sla_ms,
               metrics::Registry& registry = metrics::Default());

  void Submitted(std::string_view op, Submit outcome);
  void Receipt(std::string_view op, v1::MessageStatus status);
  void Retry(RetryReason reason) { retries_[static_cast<size_t>(reason)]->Inc(); }
  void DeadLetter(DeadLetterReason reason) { dead_letters_[static_cast<size_t>(reason)]->Inc(); }
  void ExpressLatency(double seconds) { express_latency_.Observe(seconds); }
  void ExpressShare(double share) { express_share_.Set(share); }
  void ReadBatch(size_t n) { read_batch_size_.Observe(static_cast<double>(n)); }

  // The express latency histogram's bounds for an SLA: the latency buckets, 70% of the SLA and
  // the SLA, in seconds, sorted.
  static std::vector<double> ExpressBuckets(int express_sla_ms);

 private:
  static constexpr size_t kSubmitOutcomes = 4;
  static constexpr std::array<v1::MessageStatus, 3> kReceiptStatuses = {v1::STATUS_DELIVERED, v1::STATUS_UNDELIVERED,
                                                                         v1::STATUS_EXPIRED};
  struct Operator {
    std::string name;
    std::array<metrics::Counter*, kSubmitOutcomes> submits{};
    std::array<metrics::Counter*, kReceiptStatuses.size()> receipts{};
  };
  const Operator* Find(std::string_view op) const;

  metrics::Family<metrics::Counter>& submits_;
  metrics::Family<metrics::Counter>& receipts_;
  std::vector<Operator> operators_;
  std::vector<metrics::Counter*> retries_;       // by RetryReason
  std::vector<metrics::Counter*> dead_letters_;  // by DeadLetterReason
  metrics::Histogram& express_latency_;
  metrics::Gauge& express_share_;
  metrics::Histogram& read_batch_size_;
};

}  // namespace smsgw::sched
