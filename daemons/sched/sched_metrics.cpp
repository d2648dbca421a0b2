#include "sched/sched_metrics.h"

#include <algorithm>

#include "proto/names.h"

namespace smsgw::sched {
namespace {

constexpr std::string_view kSubmitOutcomeNames[] = {"accepted", "retry", "failed", "throttled"};

}  // namespace

std::vector<double> SchedMetrics::ExpressBuckets(int express_sla_ms) {
  std::vector<double> bounds = metrics::LatencyBuckets();
  if (express_sla_ms > 0) {
    bounds.push_back(7.0 * express_sla_ms / 10000.0);  // not 0.7 * ...: bounds print as written
    bounds.push_back(express_sla_ms / 1000.0);
  }
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  return bounds;
}

SchedMetrics::SchedMetrics(const std::vector<std::string>& operators, int express_sla_ms, metrics::Registry& registry)
    : submits_(registry.AddCounter("smsgw_sched_submits_total",
                                   "Submits to an operator by outcome: accepted, retry, failed, throttled.",
                                   {"operator", "outcome"})),
      receipts_(registry.AddCounter("smsgw_sched_receipts_total", "Final delivery receipts matched, by status.",
                                    {"operator", "status"})),
      express_latency_(registry
                           .AddHistogram("smsgw_sched_express_latency_seconds",
                                         "Express messages, accepted to submitted (first attempts).", {},
                                         ExpressBuckets(express_sla_ms))
                           .Get()),
      express_share_(registry
                         .AddGauge("smsgw_sched_express_share",
                                   "Probability that a read takes express first, as steered by its latency.")
                         .Get()),
      read_batch_size_(registry
                           .AddHistogram("smsgw_sched_read_batch_size", "Messages per queue read that found some.",
                                         {}, metrics::SizeBuckets())
                           .Get()) {
  for (const std::string& name : operators) {
    Operator& op = operators_.emplace_back();
    op.name = name;
    for (size_t i = 0; i < kSubmitOutcomes; ++i) {
      op.submits[i] = &submits_.Labels({name, std::string(kSubmitOutcomeNames[i])});
    }
    for (size_t i = 0; i < kReceiptStatuses.size(); ++i) {
      op.receipts[i] = &receipts_.Labels({name, std::string(v1::StatusName(kReceiptStatuses[i]))});
    }
  }
  auto& retries = registry.AddCounter("smsgw_sched_retries_total",
                                      "Messages put back in q:retry, by reason.", {"reason"});
  for (RetryReason r : kRetryReasons) retries_.push_back(&retries.Labels({std::string(ReasonName(r))}));
  auto& dead = registry.AddCounter("smsgw_sched_dead_letters_total", "Messages put in q:dlq, by reason.", {"reason"});
  for (DeadLetterReason r : kDeadLetterReasons) dead_letters_.push_back(&dead.Labels({std::string(ReasonName(r))}));
  registry.AddGauge("smsgw_sched_express_sla_seconds", "[sched] express_sla_ms, in seconds.")
      .Get()
      .Set(express_sla_ms / 1000.0);
}

const SchedMetrics::Operator* SchedMetrics::Find(std::string_view op) const {
  for (const Operator& o : operators_) {
    if (o.name == op) return &o;
  }
  return nullptr;
}

void SchedMetrics::Submitted(std::string_view op, Submit outcome) {
  const size_t i = static_cast<size_t>(outcome);
  if (const Operator* o = Find(op)) return o->submits[i]->Inc();
  submits_.Labels({std::string(op), std::string(kSubmitOutcomeNames[i])}).Inc();  // not configured: not reached
}

void SchedMetrics::Receipt(std::string_view op, v1::MessageStatus status) {
  const auto it = std::find(kReceiptStatuses.begin(), kReceiptStatuses.end(), status);
  const Operator* o = Find(op);
  if (o != nullptr && it != kReceiptStatuses.end()) {
    return o->receipts[static_cast<size_t>(it - kReceiptStatuses.begin())]->Inc();
  }
  receipts_.Labels({std::string(op), std::string(v1::StatusName(status))}).Inc();
}

}  // namespace smsgw::sched
