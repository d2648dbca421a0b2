#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "proto/smsgw.pb.h"

namespace smsgw::report {

// Entries read from the stream, on their way to PostgreSQL.
struct Batch {
  std::vector<std::string> ids;         // every entry, acked together after the commit
  std::vector<v1::StatusEvent> events;  // the decodable ones, in stream order
  std::chrono::steady_clock::time_point started;  // when the first entry came in
};

// The batch being gathered, between the thread reading the stream and the thread writing to
// PostgreSQL. The writer takes it once it is due: `due_rows` entries, or `due_after` since its
// first entry. While the writer is busy the batch keeps growing, so batches are larger under
// load (fewer commits and more events of one message coalesced into one row), up to `max_rows`:
// then the reader waits (backpressure: entries stay in Redis, unread).
// Thread-safe.
class BatchSlot {
 public:
  using Clock = std::chrono::steady_clock;

  BatchSlot(size_t due_rows, std::chrono::milliseconds due_after, size_t max_rows);

  // Room for this many more entries, waiting up to `wait` for some while the slot is full;
  // 0 when it stayed full or the slot is closed.
  size_t WaitForRoom(std::chrono::milliseconds wait);
  // Adds read entries (all of `ids`; `events` holds the decodable ones). The batch may pass
  // max_rows by one read's worth.
  void Append(std::vector<std::string> ids, std::vector<v1::StatusEvent> events);

  // Waits until the batch is due, or the slot is closed and the batch not empty, and takes it.
  // nullopt once the slot is closed and empty.
  std::optional<Batch> Take();

  // No more entries will come: Take() hands out what is left at once, then nullopt;
  // WaitForRoom() returns 0.
  void Close();
  bool closed() const;
  // Entries gathered and not yet taken.
  size_t size() const;
  // When the oldest entry not yet taken came in; nullopt when the slot is empty.
  std::optional<Clock::time_point> oldest() const;

 private:
  bool DueLocked(Clock::time_point now) const;

  const size_t due_rows_;
  const std::chrono::milliseconds due_after_;
  const size_t max_rows_;

  mutable std::mutex mu_;
  std::condition_variable changed_;
  Batch batch_;          // GUARDED_BY(mu_)
  bool closed_ = false;  // GUARDED_BY(mu_)
};

}  // namespace smsgw::report
