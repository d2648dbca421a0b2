#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "proto/smsgw.pb.h"
#include "redis/redis.h"

namespace smsgw::sched {

// One stream entry taken by this consumer: acked (and deleted) once it has an outcome.
struct QueuedMessage {
  std::string stream;
  std::string entry_id;
  v1::Envelope envelope;
  bool decoded = true;  // false: the payload was not an Envelope; it is dropped with a log line
};

// Reads the queues of DESIGN.md section 4 through the `sched` consumer group. Not thread-safe:
// one per scheduler loop, on that loop's connection.
class QueueReader {
 public:
  QueueReader(redis::Connection& conn, std::string consumer, int max_streams_per_round, int quantum)
      : conn_(conn), consumer_(std::move(consumer)), max_streams_(max_streams_per_round), quantum_(quantum) {}

  // Up to `max` new entries of q:express.
  Result<std::vector<QueuedMessage>> ReadExpress(int max);
  // The next accounts of q:active, round-robin (an SSCAN cursor kept across calls, so every
  // account gets its turn however many there are), up to `quantum` entries from each and at
  // most `max` in all. Accounts whose stream turns out empty leave q:active.
  Result<std::vector<QueuedMessage>> ReadNormal(int max);
  // Every entry this consumer took and has not acked: those it still works on, and those an
  // earlier run (or a lost outcome) left behind, which the caller sends again.
  Result<std::vector<QueuedMessage>> ReadOwnPending();
  // Moves due q:retry entries back to their streams; returns how many.
  Result<int64_t> MoveDueRetries(int64_t now_ms, int max);

  // True when the last ReadNormal walked past the end of q:active without finding anything.
  bool normal_idle() const { return normal_idle_; }

 private:
  Status EnsureGroup(const std::string& stream);
  // XREADGROUP over `streams` from `from` (">" new, "0" own pending).
  Result<std::vector<QueuedMessage>> Read(const std::vector<std::string>& streams, int count, const char* from,
                                          std::set<std::string>* nonempty);

  redis::Connection& conn_;
  std::string consumer_;
  int max_streams_;
  int quantum_;
  std::set<std::string> groups_;  // streams known to have the sched group
  std::string cursor_ = "0";
  bool normal_idle_ = false;
};

}  // namespace smsgw::sched
