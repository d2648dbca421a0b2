#pragma once

#include <array>
#include <chrono>
#include <cstddef>

#include "metrics/registry.h"
#include "webhook/sender.h"

namespace smsgw::report {

// The writer's figures, in metrics::Default(): smsgw_report_batch_rows (rows upserted per
// committed batch) and smsgw_report_write_seconds (a batch's time from coalescing to commit,
// retries included). The counters of ConsumerStats are exported by consumer_metrics.h.
class WriterMetrics {
 public:
  explicit WriterMetrics(metrics::Registry& registry = metrics::Default());
  void Written(size_t rows, std::chrono::steady_clock::duration took);

 private:
  metrics::Histogram& batch_rows_;
  metrics::Histogram& write_seconds_;
};

// Status callbacks (webhooks and Kannel dlr-urls), in metrics::Default():
// smsgw_webhook_deliveries_total{outcome} and smsgw_webhook_latency_seconds{outcome}, one per
// attempt, with outcome delivered (a 2xx answer), http_error (any other answer), unreachable (no
// answer: DNS, connection, timeout) or refused (the target policy refused it, or it cannot be
// made: no latency). Every child is made at construction. Thread-safe.
class WebhookMetrics {
 public:
  explicit WebhookMetrics(metrics::Registry& registry = metrics::Default());
  void Attempted(const webhook::Outcome& outcome);

 private:
  enum Kind { kDelivered, kHttpError, kUnreachable, kRefused, kKinds };
  std::array<metrics::Counter*, kKinds> deliveries_{};
  std::array<metrics::Histogram*, kKinds> latency_{};  // none for kRefused
};

}  // namespace smsgw::report
