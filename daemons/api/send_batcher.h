#pragma once

#include <functional>
#include <vector>

#include "api/group_commit.h"
#include "api/send.h"
#include "common/status.h"
#include "metrics/registry.h"
#include "proto/smsgw.pb.h"

namespace smsgw::api {

// Group commit for sends (DESIGN.md section 10): requests that arrive together share one ledger
// DebitBatch and one Redis pipeline (DebitAndEnqueue), through a GroupCommit of envelopes.
// HTTP I/O threads only Submit and are answered through a callback. Thread-safe.
class SendBatcher {
 public:
  using Options = GroupCommitOptions;
  // One Status per envelope, in order (see DebitAndEnqueue).
  using Done = std::function<void(std::vector<Status>)>;

  SendBatcher(Options options, SendDeps deps);

  // Queues `envelopes` for the next batch; `done` is called exactly once, on a worker thread
  // (or on the caller's, with Unavailable for every envelope, when the queue is over
  // max_queued_items or the batcher is stopping). `done` must not block for long. Each
  // envelope's answer is counted as accepted or refused (SendMetrics) before `done` runs.
  void Submit(std::vector<v1::Envelope> envelopes, Done done);

  // Finishes the batches in progress and those queued, then joins the workers. Idempotent.
  void Stop() { commit_.Stop(); }

  // Batches run so far (for tests and metrics).
  size_t batches_run() const { return commit_.batches_run(); }

 private:
  const SendDeps deps_;
  GroupCommit<v1::Envelope, Status> commit_;  // after deps_, which its workers use
  metrics::ScrapeCallbacks metrics_;           // smsgw_api_send_queue_depth; reads commit_
};

}  // namespace smsgw::api
