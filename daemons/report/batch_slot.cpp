#include "batch_slot.h"

#include <algorithm>
#include <iterator>

namespace smsgw::report {

BatchSlot::BatchSlot(size_t due_rows, std::chrono::milliseconds due_after, size_t max_rows)
    : due_rows_(std::max<size_t>(1, due_rows)),
      due_after_(due_after),
      max_rows_(std::max(max_rows, due_rows_)) {}

size_t BatchSlot::WaitForRoom(std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, wait, [&] { return closed_ || batch_.ids.size() < max_rows_; });
  if (closed_ || batch_.ids.size() >= max_rows_) return 0;
  return max_rows_ - batch_.ids.size();
}

void BatchSlot::Append(std::vector<std::string> ids, std::vector<v1::StatusEvent> events) {
  if (ids.empty()) return;
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    const bool first = batch_.ids.empty();
    if (first) {
      batch_.started = Clock::now();
      batch_.ids = std::move(ids);
      batch_.events = std::move(events);
    } else {
      batch_.ids.insert(batch_.ids.end(), std::make_move_iterator(ids.begin()),
                        std::make_move_iterator(ids.end()));
      batch_.events.insert(batch_.events.end(), std::make_move_iterator(events.begin()),
                           std::make_move_iterator(events.end()));
    }
    // A waiting writer needs to hear of a new batch's start time and of its reaching due_rows;
    // waking it for every read in between would only cost context switches.
    wake = first || batch_.ids.size() >= due_rows_;
  }
  if (wake) changed_.notify_all();
}

bool BatchSlot::DueLocked(Clock::time_point now) const {
  if (batch_.ids.empty()) return false;
  return closed_ || batch_.ids.size() >= due_rows_ || now >= batch_.started + due_after_;
}

std::optional<Batch> BatchSlot::Take() {
  std::unique_lock lock(mu_);
  while (true) {
    const Clock::time_point now = Clock::now();
    if (DueLocked(now)) break;
    if (closed_ && batch_.ids.empty()) return std::nullopt;
    if (batch_.ids.empty()) {
      changed_.wait(lock);
    } else {
      changed_.wait_until(lock, batch_.started + due_after_);
    }
  }
  Batch out = std::move(batch_);
  batch_ = Batch{};
  lock.unlock();
  changed_.notify_all();  // the reader may be waiting for room
  return out;
}

void BatchSlot::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  changed_.notify_all();
}

bool BatchSlot::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

size_t BatchSlot::size() const {
  std::lock_guard lock(mu_);
  return batch_.ids.size();
}

std::optional<BatchSlot::Clock::time_point> BatchSlot::oldest() const {
  std::lock_guard lock(mu_);
  if (batch_.ids.empty()) return std::nullopt;
  return batch_.started;
}

}  // namespace smsgw::report
