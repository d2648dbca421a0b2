#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

namespace smsgw::api {

// A response body written in pieces while it is produced (HTTP/1.1 chunked transfer coding),
// for answers too large to hold in memory: the export. A producer thread writes chunks; the
// HTTP server sends them as the socket takes them. At most `max_queued_bytes` wait in between:
// a producer faster than the client blocks, so memory stays bounded whatever the body's size.
//
// Thread-safe: one producer thread, the server's connection strand as the consumer.
class ChunkedBody {
 public:
  explicit ChunkedBody(size_t max_queued_bytes = 1 << 20) : max_queued_bytes_(max_queued_bytes) {}

  // Producer: queues `chunk` (empty chunks are skipped), waiting while the queue is full.
  // False when the connection is gone: stop producing.
  bool Write(std::string chunk);
  // Producer: the body is complete (the server sends the last chunk).
  void Finish();
  // Producer: the body cannot be completed: the connection is closed without the last chunk,
  // so the client sees a truncated transfer rather than a short but well-formed one.
  void Abort();

  // Consumer: what to send next. kWait: nothing yet; `wake` will be called once, from the
  // producer's thread, when there is.
  enum class Next { kChunk, kWait, kEnd, kAbort };
  Next Take(std::string* chunk, std::function<void()> wake);
  // Consumer: the connection is gone; Write returns false from now on.
  void Cancel();

 private:
  void WakeLocked(std::unique_lock<std::mutex>& lock);

  const size_t max_queued_bytes_;
  std::mutex mu_;
  std::condition_variable room_;
  std::deque<std::string> queue_;  // GUARDED_BY(mu_)
  size_t queued_bytes_ = 0;        // GUARDED_BY(mu_)
  bool finished_ = false;          // GUARDED_BY(mu_)
  bool aborted_ = false;           // GUARDED_BY(mu_)
  bool cancelled_ = false;         // GUARDED_BY(mu_)
  std::function<void()> wake_;     // GUARDED_BY(mu_)
};

}  // namespace smsgw::api
