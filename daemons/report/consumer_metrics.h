#pragma once

#include "metrics/registry.h"
#include "report/consumer.h"

namespace smsgw::report {

// Exports the consumer's ConsumerStats (atomics) on /metrics for as long as `callbacks` lives:
//   smsgw_report_entries_read_total, smsgw_report_entries_claimed_total,
//   smsgw_report_entries_dropped_total, smsgw_report_events_written_total,
//   smsgw_report_rows_written_total, smsgw_report_batches_written_total,
//   smsgw_report_write_failures_total.
// `stats` must outlive `callbacks`.
void ExportConsumerMetrics(metrics::ScrapeCallbacks& callbacks, const ConsumerStats& stats);

}  // namespace smsgw::report
