#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <iterator>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

// Group commit (DESIGN.md section 10): work that arrives together is done in one go. Callers
// Submit items (a lock and a notify, never a wait) and are answered through a callback;
// `workers` threads of its own each take what is queued and Run it as one batch, so the number
// of blocked threads stays fixed however high the load.
//
// A free worker takes what is queued; while that is fewer than `max_items` it waits at most
// `max_wait` after the oldest submission arrived for more to come. Under load the queue fills
// while the workers are busy, so batches grow by themselves and the wait is rarely paid.
// A submission is never split between batches. Thread-safe.
namespace smsgw::api {

struct GroupCommitOptions {
  int workers = 4;
  std::chrono::microseconds max_wait{1000};
  size_t max_items = 2000;          // per batch; a larger submission goes alone
  size_t max_queued_items = 50000;  // beyond this, Submit refuses at once (backpressure)
};

template <typename Item, typename Out>
class GroupCommit {
 public:
  // Does one batch: one Out per item, in order. Called on a worker thread; may block. An
  // exception from it is answered with Refuse(its message) for every item.
  using Run = std::function<std::vector<Out>(std::vector<Item>&)>;
  // The answer for each item refused without running (queue full, stopping, Run threw).
  using Refuse = std::function<Out(const std::string& why)>;
  // One Out per submitted item, in order.
  using Done = std::function<void(std::vector<Out>)>;

  GroupCommit(GroupCommitOptions options, Run run, Refuse refuse, std::string name)
      : options_(options), run_(std::move(run)), refuse_(std::move(refuse)), name_(std::move(name)) {
    for (int i = 0; i < std::max(1, options_.workers); ++i) workers_.emplace_back([this] { Work(); });
  }
  ~GroupCommit() { Stop(); }
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Queues `items` for the next batch; `done` is called exactly once, on a worker thread (or on
  // the caller's, refused, when the queue is over max_queued_items or the batcher is stopping).
  // `done` must not block for long.
  void Submit(std::vector<Item> items, Done done) {
    const size_t n = items.size();
    std::string refused;
    {
      std::lock_guard lock(mu_);
      if (stopping_) {
        refused = name_ + " is stopping";
      } else if (queued_items_ + n > options_.max_queued_items) {
        refused = "too many requests waiting for " + name_;
      } else {
        queued_items_ += n;
        queue_.push_back({std::move(items), std::move(done), std::chrono::steady_clock::now()});
      }
    }
    if (refused.empty()) {
      cv_.notify_one();
      return;
    }
    done(std::vector<Out>(n, refuse_(refused)));
  }

  // Finishes the batches in progress and those queued, then joins the workers. Idempotent.
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : workers_) {
      if (t.joinable()) t.join();
    }
    workers_.clear();
  }

  // Batches run so far (for tests and metrics).
  size_t batches_run() const {
    std::lock_guard lock(mu_);
    return batches_run_;
  }
  // Items submitted and not yet taken by a worker (for metrics).
  size_t queued_items() const {
    std::lock_guard lock(mu_);
    return queued_items_;
  }

 private:
  struct Pending {
    std::vector<Item> items;
    Done done;
    std::chrono::steady_clock::time_point arrived;
  };

  // Waits for work and takes the next batch; empty when stopping with nothing left.
  std::vector<Pending> Take() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return {};
    // Wait for company: until the batch is full, the oldest waited max_wait, or we stop.
    const auto deadline = queue_.front().arrived + options_.max_wait;
    cv_.wait_until(lock, deadline, [&] { return stopping_ || queued_items_ >= options_.max_items; });
    std::vector<Pending> batch;
    size_t items = 0;
    while (!queue_.empty()) {
      const size_t n = queue_.front().items.size();
      if (!batch.empty() && items + n > options_.max_items) break;
      items += n;
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    queued_items_ -= items;
    ++batches_run_;
    // Another worker may start on what is left while this one waits.
    if (!queue_.empty()) cv_.notify_one();
    return batch;
  }

  void Work() {
    while (true) {
      std::vector<Pending> batch = Take();
      if (batch.empty()) return;
      std::vector<Item> items;
      std::vector<size_t> sizes;
      for (Pending& p : batch) {
        sizes.push_back(p.items.size());
        for (Item& item : p.items) items.push_back(std::move(item));
      }
      std::vector<Out> results;
      try {
        results = run_(items);
      } catch (const std::exception& e) {  // a dependency threw: answer, never strand a caller
        spdlog::error("{}: batch of {}: {}", name_, items.size(), e.what());
        results.clear();
      }
      if (results.size() != items.size()) results.assign(items.size(), refuse_(name_ + ": batch failed"));
      size_t at = 0;
      for (size_t i = 0; i < batch.size(); ++i) {
        const auto first = results.begin() + static_cast<std::ptrdiff_t>(at);
        std::vector<Out> mine(std::make_move_iterator(first),
                              std::make_move_iterator(first + static_cast<std::ptrdiff_t>(sizes[i])));
        at += sizes[i];
        batch[i].done(std::move(mine));
      }
    }
  }

  const GroupCommitOptions options_;
  const Run run_;
  const Refuse refuse_;
  const std::string name_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;  // guarded by mu_
  size_t queued_items_ = 0;    // guarded by mu_
  size_t batches_run_ = 0;     // guarded by mu_
  bool stopping_ = false;      // guarded by mu_
  std::vector<std::thread> workers_;
};

}  // namespace smsgw::api
