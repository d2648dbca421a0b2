#pragma once

#include "metrics/registry.h"
#include "smpp/client.h"

namespace smsgw::sched {

// Exports an operator link's own counters (smpp::Client::counters(), atomics) on /metrics,
// labelled operator="<name>", for as long as `callbacks` lives:
//   smsgw_smpp_submit_sm_total, smsgw_smpp_submit_sm_resp_total, smsgw_smpp_receipts_total,
//   smsgw_smpp_reconnects_total, smsgw_smpp_timeouts_total (counters);
//   smsgw_smpp_window_in_use, smsgw_smpp_window_size, smsgw_smpp_queued_parts,
//   smsgw_smpp_bound (gauges).
// `client` must outlive `callbacks`.
void ExportLinkMetrics(metrics::ScrapeCallbacks& callbacks, const smpp::Client& client);

}  // namespace smsgw::sched
