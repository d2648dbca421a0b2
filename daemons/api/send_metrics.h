#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "metrics/registry.h"

namespace smsgw::api {

// The send path's figures, in metrics::Default():
//   smsgw_api_messages_accepted_total{priority}  messages debited and queued (normal, express)
//   smsgw_api_messages_refused_total{code}       messages not accepted, by problem code: each
//       single send, batch item and Kannel receiver refused by the handlers or the ledger, or
//       failed with 503; a batch body refused whole counts once. Requests refused before a send
//       handler runs (401, 429, backpressure's 503) are only in smsgw_api_requests_total.
//   smsgw_api_batch_items        items per POST /v1/messages/batch
//   smsgw_api_send_batch_size    messages per group-commit batch (one DebitBatch, one pipeline)
// (smsgw_api_send_queue_depth is SendBatcher's.) The children of every priority and of the
// problem codes a send can end with are made at start, so they are exported as 0 and increments
// never look a label up. Thread-safe.
class SendMetrics {
 public:
  // The one instance, made on first use.
  static SendMetrics& Get();

  void Accepted(bool express) { (express ? accepted_express_ : accepted_normal_).Inc(); }
  void Refused(std::string_view code, uint64_t n = 1);
  // Refused with the problem code of `status` (KindFor).
  void Refused(const Status& status);
  void BatchItems(size_t n) { batch_items_.Observe(static_cast<double>(n)); }
  void SendBatch(size_t n) { send_batch_size_.Observe(static_cast<double>(n)); }

 private:
  explicit SendMetrics(metrics::Registry& registry);

  metrics::Family<metrics::Counter>& accepted_;
  metrics::Counter& accepted_normal_;
  metrics::Counter& accepted_express_;
  metrics::Family<metrics::Counter>& refused_;
  std::vector<std::pair<std::string_view, metrics::Counter*>> refused_by_code_;  // fixed after construction
  metrics::Histogram& batch_items_;
  metrics::Histogram& send_batch_size_;
};

}  // namespace smsgw::api
