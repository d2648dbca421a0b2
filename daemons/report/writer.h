#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "event.h"
#include "pg/pg.h"

namespace smsgw::report {

// Writes coalesced updates into the partitioned `messages` table (DESIGN.md section 6) and keeps
// its partitions. Thread-safe as far as the pool is: each call leases its own connection.
class BatchWriter {
 public:
  // `pool` must outlive the writer.
  explicit BatchWriter(pg::Pool* pool) : pool_(pool) {}

  // Rows of UTC days older than this many days are not written (0: keep everything). Their
  // partitions are dropped by retention, and a late event must not create them again (review
  // m14): it is counted in expired_rows() and logged instead. Set before the writer is shared.
  void set_retention_days(int days) { retention_days_ = days; }
  int64_t expired_rows() const { return expired_rows_.load(); }

  // Upserts every update in ONE transaction (COPY into a temporary table, then one INSERT ...
  // ON CONFLICT from it): the status only moves up in rank, other columns keep their stored
  // value where the update has none. Rows past retention are left out (set_retention_days).
  // The statement triggers of migration 0020 keep message_stats and queue the status callbacks
  // in the same transaction. When a row has no partition
  // (a created_at outside the days prepared ahead), the partitions of the batch's days are
  // created and the batch is tried once more. The error of the last try otherwise.
  Status Write(const std::vector<MessageUpdate>& updates);

  // The fallback for a batch that keeps failing: writes each update in its own transaction and
  // skips (appending its id to `rejected`) every update whose data PostgreSQL refuses (SQLSTATE
  // classes 22 and 23: a value or constraint error that no retry can cure), so one bad row
  // cannot wedge the stream. Any other error (server unreachable, missing table, privilege)
  // says nothing about the row: the pass stops and returns it, and nothing is skipped.
  Status WriteEach(const std::vector<MessageUpdate>& updates, std::vector<std::string>* rejected);

  // Creates the daily partitions from `days_back` days ago to `days_ahead` days on.
  Status EnsurePartitions(int days_back, int days_ahead);
  // Creates the partitions of the UTC days holding these times (ms since the epoch).
  Status EnsurePartitionsFor(const std::vector<int64_t>& times_ms);
  // Drops the daily partitions wholly older than `retention_days` (UTC days); their names are
  // returned. retention_days <= 0 keeps everything.
  Result<std::vector<std::string>> DropExpiredPartitions(int retention_days);
  // Deletes the message_stats rows and the finished callback deliveries of those days too.
  Status PruneExpired(int retention_days);

 private:
  // `sqlstate` receives the SQLSTATE of a statement error, if any.
  Status WriteOnce(const std::vector<MessageUpdate>& updates, std::string* sqlstate);
  Status WriteWithPartitions(const std::vector<MessageUpdate>& updates, std::string* sqlstate);
  // The updates still within retention; `updates` itself when all are (the usual case).
  const std::vector<MessageUpdate>& WithinRetention(const std::vector<MessageUpdate>& updates,
                                                    std::vector<MessageUpdate>* kept);

  pg::Pool* pool_;
  int retention_days_ = 0;
  std::atomic<int64_t> expired_rows_{0};
};

// True for the error PostgreSQL gives when a row fits no partition of a partitioned table.
bool IsMissingPartition(const Status& status);

}  // namespace smsgw::report
