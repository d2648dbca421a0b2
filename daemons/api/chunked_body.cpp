#include "api/chunked_body.h"

namespace smsgw::api {

void ChunkedBody::WakeLocked(std::unique_lock<std::mutex>& lock) {
  std::function<void()> wake = std::move(wake_);
  wake_ = nullptr;
  lock.unlock();
  if (wake) wake();
}

bool ChunkedBody::Write(std::string chunk) {
  std::unique_lock lock(mu_);
  room_.wait(lock, [&] { return cancelled_ || queued_bytes_ < max_queued_bytes_; });
  if (cancelled_) return false;
  if (chunk.empty()) return true;
  queued_bytes_ += chunk.size();
  queue_.push_back(std::move(chunk));
  WakeLocked(lock);
  return true;
}

void ChunkedBody::Finish() {
  std::unique_lock lock(mu_);
  finished_ = true;
  WakeLocked(lock);
}

void ChunkedBody::Abort() {
  std::unique_lock lock(mu_);
  aborted_ = true;
  WakeLocked(lock);
}

ChunkedBody::Next ChunkedBody::Take(std::string* chunk, std::function<void()> wake) {
  std::unique_lock lock(mu_);
  if (aborted_ || cancelled_) return Next::kAbort;
  if (!queue_.empty()) {
    *chunk = std::move(queue_.front());
    queue_.pop_front();
    queued_bytes_ -= chunk->size();
    lock.unlock();
    room_.notify_one();
    return Next::kChunk;
  }
  if (finished_) return Next::kEnd;
  wake_ = std::move(wake);
  return Next::kWait;
}

void ChunkedBody::Cancel() {
  {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    wake_ = nullptr;
  }
  room_.notify_all();
}

}  // namespace smsgw::api
