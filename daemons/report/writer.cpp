#include "writer.h"

#include <spdlog/spdlog.h>

#include <pqxx/tablewriter>
#include <algorithm>
#include <set>
#include <string_view>

#include "common/time.h"
#include "copy_rows.h"
#include "queries.h"
#include "webhook_queries.h"

namespace smsgw::report {

namespace {

constexpr int64_t kMsPerDay = 86'400'000;

// Streams COPY text into `table`. pqxx 6's tablewriter is the one public way to send raw COPY
// data (stream_to formats field by field, several strings each); it is deprecated in favour of
// stream_to, hence the pragma.
void CopyInto(pqxx::work& tx, const char* table, std::string_view rows) {
  if (rows.empty()) return;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  pqxx::tablewriter copy(tx, table);
  // Whole lines a chunk at a time: each call copies its text twice, so one call for the whole
  // batch would mean megabytes copied into fresh pages. The newline ending each chunk is
  // dropped here and added back by write_raw_line.
  constexpr size_t kChunk = 64 * 1024;
  while (!rows.empty()) {
    size_t end = rows.size();
    if (end > kChunk) end = rows.find('\n', kChunk - 1) + 1;
    copy.write_raw_line(std::string(rows.substr(0, end - 1)));
    rows.remove_prefix(end);
  }
  copy.complete();
#pragma GCC diagnostic pop
}

}  // namespace

bool IsMissingPartition(const Status& status) {
  return status.message().find("no partition of relation") != std::string::npos;
}

Status BatchWriter::WriteOnce(const std::vector<MessageUpdate>& updates, std::string* sqlstate) {
  const std::string rows = CopyRows(updates);
  sqlstate->clear();
  return pool_->Transact([&](pqxx::work& tx) {
    try {
      tx.exec0(sql::kCreateStaging);
      CopyInto(tx, sql::kStagingTable, rows);
      Exec(tx, sql::kUpsertMessages);
    } catch (const pqxx::sql_error& e) {
      *sqlstate = e.sqlstate();
      throw;
    }
  });
}

Status BatchWriter::WriteWithPartitions(const std::vector<MessageUpdate>& updates,
                                        std::string* sqlstate) {
  Status s = WriteOnce(updates, sqlstate);
  if (s.ok() || !IsMissingPartition(s)) return s;

  std::vector<int64_t> times;
  times.reserve(updates.size());
  for (const MessageUpdate& u : updates) times.push_back(u.created_at_ms);
  spdlog::warn("report: a row has no partition of messages; creating its day's partition");
  if (Status e = EnsurePartitionsFor(times); !e.ok()) {
    sqlstate->clear();
    return e;
  }
  return WriteOnce(updates, sqlstate);
}

const std::vector<MessageUpdate>& BatchWriter::WithinRetention(
    const std::vector<MessageUpdate>& updates, std::vector<MessageUpdate>* kept) {
  if (retention_days_ <= 0) return updates;
  // Partitions whose whole UTC day lies more than retention_days back are dropped
  // (kExpiredPartitions): the same days are refused here.
  const int64_t first_kept_day = NowMs() / kMsPerDay - retention_days_;
  auto expired = [&](const MessageUpdate& u) { return u.created_at_ms / kMsPerDay < first_kept_day; };
  if (std::none_of(updates.begin(), updates.end(), expired)) return updates;
  for (const MessageUpdate& u : updates) {
    if (!expired(u)) {
      kept->push_back(u);
      continue;
    }
    ++expired_rows_;
    spdlog::warn("report: message {} is from a day past retention ({} days): not written", u.id,
                 retention_days_);
  }
  return *kept;
}

Status BatchWriter::Write(const std::vector<MessageUpdate>& updates) {
  std::vector<MessageUpdate> kept;
  const std::vector<MessageUpdate>& rows = WithinRetention(updates, &kept);
  if (rows.empty()) return Status::Ok();
  std::string sqlstate;
  return WriteWithPartitions(rows, &sqlstate);
}

Status BatchWriter::WriteEach(const std::vector<MessageUpdate>& all,
                              std::vector<std::string>* rejected) {
  std::vector<MessageUpdate> kept;
  for (const MessageUpdate& u : WithinRetention(all, &kept)) {
    std::string sqlstate;
    Status s = WriteWithPartitions({u}, &sqlstate);
    if (s.ok()) continue;
    if (sqlstate.rfind("22", 0) != 0 && sqlstate.rfind("23", 0) != 0) return s;
    spdlog::error("report: message {} cannot be written (SQLSTATE {}), skipping it: {}", u.id,
                  sqlstate, s.message());
    rejected->push_back(u.id);
  }
  return Status::Ok();
}

Status BatchWriter::EnsurePartitions(int days_back, int days_ahead) {
  return pool_->Transact([&](pqxx::work& tx) {
    Exec(tx, sql::kDdlLockTimeout);
    Exec(tx, sql::kEnsurePartitions, days_back, days_ahead);
  });
}

Status BatchWriter::EnsurePartitionsFor(const std::vector<int64_t>& times_ms) {
  std::set<int64_t> days;  // one DDL per UTC day (UUIDv7 times are never negative)
  for (int64_t t : times_ms) days.insert(t / kMsPerDay);
  return pool_->Transact([&](pqxx::work& tx) {
    Exec(tx, sql::kDdlLockTimeout);
    for (int64_t day : days) {
      const std::string ddl = Exec(tx, sql::kPartitionDdlFor, day * kMsPerDay)[0][0].as<std::string>();
      spdlog::info("report: {}", ddl);
      tx.exec0(ddl);
    }
  });
}

Result<std::vector<std::string>> BatchWriter::DropExpiredPartitions(int retention_days) {
  std::vector<std::string> dropped;
  if (retention_days <= 0) return dropped;
  Status s = pool_->Transact([&](pqxx::work& tx) {
    Exec(tx, sql::kDdlLockTimeout);
    pqxx::result rows = Exec(tx, sql::kExpiredPartitions, retention_days);
    for (const auto& row : rows) {
      const std::string name = row[0].as<std::string>();
      const std::string ddl = Exec(tx, sql::kDropPartitionDdl, name)[0][0].as<std::string>();
      tx.exec0(ddl);
      dropped.push_back(name);
    }
  });
  if (!s.ok()) return s;
  return dropped;
}

Status BatchWriter::PruneExpired(int retention_days) {
  if (retention_days <= 0) return Status::Ok();
  return pool_->Transact([&](pqxx::work& tx) {
    Exec(tx, sql::kPruneStats, retention_days);
    Exec(tx, sql::kPruneDeliveries, retention_days);
  });
}

}  // namespace smsgw::report
