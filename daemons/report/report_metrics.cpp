#include "report/report_metrics.h"

#include <string>

namespace smsgw::report {

WriterMetrics::WriterMetrics(metrics::Registry& registry)
    : batch_rows_(registry
                      .AddHistogram("smsgw_report_batch_rows", "Message rows upserted per committed batch.", {},
                                    metrics::SizeBuckets())
                      .Get()),
      write_seconds_(registry
                         .AddHistogram("smsgw_report_write_seconds",
                                       "Time to write a batch, from coalescing to commit, retries included.", {},
                                       metrics::LatencyBuckets())
                         .Get()) {}

void WriterMetrics::Written(size_t rows, std::chrono::steady_clock::duration took) {
  batch_rows_.Observe(static_cast<double>(rows));
  write_seconds_.Observe(std::chrono::duration<double>(took).count());
}

WebhookMetrics::WebhookMetrics(metrics::Registry& registry) {
  auto& deliveries = registry.AddCounter("smsgw_webhook_deliveries_total",
                                         "Status callback attempts by outcome: delivered, http_error, unreachable, "
                                         "refused.",
                                         {"outcome"});
  auto& latency = registry.AddHistogram("smsgw_webhook_latency_seconds", "Status callback attempts' duration.",
                                        {"outcome"}, metrics::LatencyBuckets());
  const char* const names[kKinds] = {"delivered", "http_error", "unreachable", "refused"};
  for (int k = 0; k < kKinds; ++k) {
    deliveries_[k] = &deliveries.Labels({names[k]});
    if (k != kRefused) latency_[k] = &latency.Labels({names[k]});
  }
}

void WebhookMetrics::Attempted(const webhook::Outcome& outcome) {
  const Kind k = outcome.refused        ? kRefused
                 : outcome.error.empty() ? kDelivered
                 : outcome.http_code != 0 ? kHttpError
                                          : kUnreachable;
  deliveries_[k]->Inc();
  if (latency_[k] != nullptr) latency_[k]->Observe(outcome.seconds);
}

}  // namespace smsgw::report
