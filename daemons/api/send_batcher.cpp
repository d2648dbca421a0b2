#include "api/send_batcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace smsgw::api {

SendBatcher::SendBatcher(Options options, SendDeps deps) : options_(options), deps_(std::move(deps)) {
  for (int i = 0; i < std::max(1, options_.workers); ++i) workers_.emplace_back([this] { Work(); });
}

SendBatcher::~SendBatcher() { Stop(); }

void SendBatcher::Submit(std::vector<v1::Envelope> envelopes, Done done) {
  const size_t n = envelopes.size();
  const char* refused = nullptr;
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      refused = "smsgw-api is stopping";
    } else if (queued_items_ + n > options_.max_queued_items) {
      refused = "too many messages waiting for the ledger";
    } else {
      queued_items_ += n;
      queue_.push_back({std::move(envelopes), std::move(done), std::chrono::steady_clock::now()});
    }
  }
  if (refused == nullptr) {
    cv_.notify_one();
    return;
  }
  done(std::vector<Status>(n, Status::Unavailable(refused)));
}

size_t SendBatcher::batches_run() const {
  std::lock_guard lock(mu_);
  return batches_run_;
}

std::vector<SendBatcher::Pending> SendBatcher::Take() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
  if (queue_.empty()) return {};
  // Wait for company: until the batch is full, the oldest waited max_wait, or we stop.
  const auto deadline = queue_.front().arrived + options_.max_wait;
  cv_.wait_until(lock, deadline, [&] { return stopping_ || queued_items_ >= options_.max_items; });
  std::vector<Pending> batch;
  size_t items = 0;
  while (!queue_.empty()) {
    const size_t n = queue_.front().envelopes.size();
    if (!batch.empty() && items + n > options_.max_items) break;
    items += n;
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  queued_items_ -= items;
  ++batches_run_;
  // Another worker may start on what is left while this one waits on the ledger.
  if (!queue_.empty()) cv_.notify_one();
  return batch;
}

void SendBatcher::Work() {
  while (true) {
    std::vector<Pending> batch = Take();
    if (batch.empty()) return;
    std::vector<v1::Envelope> envelopes;
    for (Pending& p : batch) {
      for (v1::Envelope& e : p.envelopes) envelopes.push_back(std::move(e));
    }
    std::vector<Status> results;
    try {
      results = DebitAndEnqueue(deps_, envelopes);
    } catch (const std::exception& e) {  // a dependency threw: answer, never strand a request
      spdlog::error("send batch of {}: {}", envelopes.size(), e.what());
      results.assign(envelopes.size(), Status::Internal(std::string("send batch: ") + e.what()));
    }
    size_t at = 0;
    for (Pending& p : batch) {
      const size_t n = p.envelopes.size();
      std::vector<Status> mine(std::make_move_iterator(results.begin() + static_cast<std::ptrdiff_t>(at)),
                               std::make_move_iterator(results.begin() + static_cast<std::ptrdiff_t>(at + n)));
      at += n;
      p.done(std::move(mine));
    }
  }
}

void SendBatcher::Stop() {
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

}  // namespace smsgw::api
