#include "report/consumer_metrics.h"

namespace smsgw::report {

void ExportConsumerMetrics(metrics::ScrapeCallbacks& callbacks, const ConsumerStats& stats) {
  const ConsumerStats* s = &stats;
  auto counter = [&](const char* name, const char* help, const std::atomic<int64_t> ConsumerStats::*field) {
    callbacks.Counter(name, help, {}, [s, field] { return static_cast<double>((s->*field).load()); });
  };
  counter("smsgw_report_entries_read_total", "Event stream entries taken, claimed ones included.",
          &ConsumerStats::entries_read);
  counter("smsgw_report_entries_claimed_total", "Entries taken over from other consumers.",
          &ConsumerStats::entries_claimed);
  counter("smsgw_report_entries_dropped_total", "Unusable entries acked and deleted unwritten.",
          &ConsumerStats::entries_dropped);
  counter("smsgw_report_events_written_total", "Events whose batch was committed to PostgreSQL.",
          &ConsumerStats::events_written);
  counter("smsgw_report_rows_written_total", "Message rows upserted (one per message per batch).",
          &ConsumerStats::rows_written);
  counter("smsgw_report_batches_written_total", "Batches committed.", &ConsumerStats::batches_written);
  counter("smsgw_report_write_failures_total", "Failed batch attempts (each is retried).",
          &ConsumerStats::write_failures);
}

}  // namespace smsgw::report
