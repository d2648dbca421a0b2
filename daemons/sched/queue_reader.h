#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "proto/smsgw.pb.h"
#include "redis/redis.h"
#include "sched/drr.h"

namespace smsgw::sched {

// One stream entry taken by this consumer: acked (and deleted) once it has an outcome.
struct QueuedMessage {
  std::string stream;
  std::string entry_id;
  v1::Envelope envelope;
  bool decoded = true;     // false: the payload was not an Envelope; it is dropped with a log line
  bool recovered = false;  // read again (taken over from a dead consumer, or re-read from our own
                           // pending): it may have been submitted already
};

// Reads the queues of DESIGN.md section 4 through the `sched` consumer group. Not thread-safe:
// one per scheduler loop, on that loop's connection.
class QueueReader {
 public:
  QueueReader(redis::Connection& conn, std::string consumer, int max_streams_per_round, int quantum)
      : conn_(conn), consumer_(std::move(consumer)), max_streams_(max_streams_per_round), quantum_(quantum) {}

  // Up to `max` new entries of q:express.
  Result<std::vector<QueuedMessage>> ReadExpress(int max);
  // One round of deficit round robin over q:active (DrrRing), at most `max` entries in all, in
  // one round trip together with the next page of the scan of q:active (SSCAN, every member
  // it returns kept) and the weights of the accounts visited. Accounts whose stream turns
  // out empty leave q:active (a script checks XLEN, so an account whose stream still holds
  // entries, pending ones of a dead consumer included, stays).
  Result<std::vector<QueuedMessage>> ReadNormal(int max);
  // Entries idle longer than `min_idle_ms` in the pending lists of q:express and of the next
  // accounts of the ring (`streams` of them, round robin), taken over by this consumer
  // (XAUTOCLAIM): those of a scheduler that died or stopped. At most `max`. Marked recovered.
  Result<std::vector<QueuedMessage>> Claim(int64_t min_idle_ms, int streams, int max);
  // Every entry this consumer took and has not acked, in the streams it read since the last
  // call (and, with `everywhere`, in q:express and every account of q:active: at start, for a
  // configured stable consumer name). Marked recovered.
  Result<std::vector<QueuedMessage>> ReadOwnPending(bool everywhere);
  // Resets the idle time of entries this consumer still works on, so no other instance takes
  // them over (XCLAIM ... JUSTID). `entries` are (stream, id).
  Status Touch(const std::vector<std::pair<std::string, std::string>>& entries);
  // Moves due q:retry entries back to their streams; returns how many.
  Result<int64_t> MoveDueRetries(int64_t now_ms, int max);

  const DrrRing& ring() const { return ring_; }
  const std::string& consumer() const { return consumer_; }

 private:
  // XREADGROUP over `streams` from `from` (">" new, "0" own pending).
  Result<std::vector<QueuedMessage>> Read(const std::vector<std::string>& streams, int count, const char* from);
  // The XGROUP CREATE commands for streams not yet known to have the group.
  std::vector<redis::Command> GroupCommands(const std::vector<std::string>& streams, bool mkstream);
  void ParseEntries(const std::string& stream, const redis::Reply& entries, bool recovered,
                    std::vector<QueuedMessage>& out);

  redis::Connection& conn_;
  std::string consumer_;
  int max_streams_;
  int quantum_;
  std::set<std::string> groups_;   // streams known to have the sched group
  std::set<std::string> touched_;  // streams read since the last ReadOwnPending
  DrrRing ring_;
  std::string scan_cursor_ = "0";
  size_t claim_cursor_ = 0;
  std::unordered_map<int64_t, int64_t> weight_read_ms_;  // when each account's weight was read
};

// "{a:<id>}:q" -> id; 0 when it is not an account stream.
int64_t AccountOfStream(const std::string& stream);

}  // namespace smsgw::sched
