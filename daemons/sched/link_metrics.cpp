#include "sched/link_metrics.h"

namespace smsgw::sched {

void ExportLinkMetrics(metrics::ScrapeCallbacks& callbacks, const smpp::Client& client) {
  const smpp::Client* c = &client;
  const metrics::LabelPairs op{{"operator", client.config().operator_name}};
  auto counter = [&](const char* name, const char* help, uint64_t smpp::ClientCounters::*field) {
    callbacks.Counter(name, help, op, [c, field] { return static_cast<double>(c->counters().*field); });
  };
  counter("smsgw_smpp_submit_sm_total", "submit_sm PDUs written to the operator (one per part).",
          &smpp::ClientCounters::submitted);
  counter("smsgw_smpp_submit_sm_resp_total", "submit_sm_resp PDUs received, any status.",
          &smpp::ClientCounters::responses);
  counter("smsgw_smpp_receipts_total", "Delivery receipts received from the operator.", &smpp::ClientCounters::receipts);
  counter("smsgw_smpp_reconnects_total", "Connection attempts after the first.", &smpp::ClientCounters::reconnects);
  counter("smsgw_smpp_timeouts_total", "submit_sm left without a response in time.", &smpp::ClientCounters::timeouts);
  callbacks.Gauge("smsgw_smpp_window_in_use", "submit_sm awaiting a response now.", op,
                  [c] { return static_cast<double>(c->counters().in_flight); });
  callbacks.Gauge("smsgw_smpp_queued_parts", "Parts waiting for a window slot now.", op,
                  [c] { return static_cast<double>(c->counters().queued); });
  callbacks.Gauge("smsgw_smpp_window_size", "The link's SMPP window ([[operators]] window).", op,
                  [c] { return static_cast<double>(c->config().window); });
  callbacks.Gauge("smsgw_smpp_bound", "1 while the link is bound, else 0.", op, [c] { return c->bound() ? 1.0 : 0.0; });
}

}  // namespace smsgw::sched
