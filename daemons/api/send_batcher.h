#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "api/send.h"
#include "common/status.h"
#include "proto/smsgw.pb.h"

namespace smsgw::api {

// Group commit for sends (DESIGN.md section 10): requests that arrive together share one ledger
// DebitBatch and one Redis pipeline. HTTP I/O threads only Submit (a lock and a notify) and are
// answered through a callback; `workers` threads of their own make the blocking calls, one
// batch each at a time, so the number of blocked threads stays fixed however high the load.
//
// A free worker takes what is queued; while that is fewer than `max_items` it waits at most
// `max_wait` after the oldest submission arrived for more to come. Under load the queue fills
// while the workers are busy, so batches grow by themselves and the wait is rarely paid.
// A submission is never split between batches. Thread-safe.
class SendBatcher {
 public:
  struct Options {
    int workers = 4;
    std::chrono::microseconds max_wait{1000};
    size_t max_items = 2000;          // per batch; a larger submission goes alone
    size_t max_queued_items = 50000;  // beyond this, Submit refuses at once (backpressure)
  };
  // One Status per envelope, in order (see DebitAndEnqueue).
  using Done = std::function<void(std::vector<Status>)>;

  SendBatcher(Options options, SendDeps deps);
  ~SendBatcher();  // Stop()s
  SendBatcher(const SendBatcher&) = delete;
  SendBatcher& operator=(const SendBatcher&) = delete;

  // Queues `envelopes` for the next batch; `done` is called exactly once, on a worker thread
  // (or on the caller's, with Unavailable for every envelope, when the queue is over
  // max_queued_items or the batcher is stopping). `done` must not block for long.
  void Submit(std::vector<v1::Envelope> envelopes, Done done);

  // Finishes the batches in progress and those queued, then joins the workers. Idempotent.
  void Stop();

  // Batches run so far (for tests and metrics).
  size_t batches_run() const;

 private:
  struct Pending {
    std::vector<v1::Envelope> envelopes;
    Done done;
    std::chrono::steady_clock::time_point arrived;
  };

  void Work();
  // Waits for work and takes the next batch; empty when stopping with nothing left.
  std::vector<Pending> Take();

  const Options options_;
  const SendDeps deps_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;  // guarded by mu_
  size_t queued_items_ = 0;    // guarded by mu_
  size_t batches_run_ = 0;     // guarded by mu_
  bool stopping_ = false;      // guarded by mu_
  std::vector<std::thread> workers_;
};

}  // namespace smsgw::api
