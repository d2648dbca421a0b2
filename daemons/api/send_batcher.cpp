#include "api/send_batcher.h"

#include "api/send_metrics.h"

namespace smsgw::api {

SendBatcher::SendBatcher(Options options, SendDeps deps)
    : deps_(std::move(deps)),
      commit_(
          options,
          [this](std::vector<v1::Envelope>& envelopes) {
            SendMetrics::Get().SendBatch(envelopes.size());
            return DebitAndEnqueue(deps_, envelopes);
          },
          [](const std::string& why) { return Status::Unavailable(why); }, "smsgw-api's send queue") {
  metrics_.Gauge("smsgw_api_send_queue_depth", "Messages waiting for a group-commit batch now.", {},
                 [this] { return static_cast<double>(commit_.queued_items()); });
}

void SendBatcher::Submit(std::vector<v1::Envelope> envelopes, Done done) {
  // Only the priorities travel with the answer: the envelopes go to the batch.
  std::vector<bool> express;
  express.reserve(envelopes.size());
  for (const v1::Envelope& e : envelopes) express.push_back(e.priority() == v1::PRIORITY_EXPRESS);
  commit_.Submit(std::move(envelopes), [express = std::move(express), done = std::move(done)](std::vector<Status> r) {
    SendMetrics& m = SendMetrics::Get();
    for (size_t i = 0; i < r.size(); ++i) {
      if (r[i].ok()) {
        m.Accepted(i < express.size() && express[i]);
      } else {
        m.Refused(r[i]);
      }
    }
    done(std::move(r));
  });
}

}  // namespace smsgw::api
