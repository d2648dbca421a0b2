#include "writer.h"

#include <spdlog/spdlog.h>

#include <set>

#include "queries.h"

namespace smsgw::report {

using pg::ArrayLiteral;
namespace {

constexpr int64_t kMsPerDay = 86'400'000;

// One array literal per column of `messages` written by the upsert, in the statement's order.
struct Columns {
  ArrayLiteral id, account_id, created_ms, status, to, from, encoding, segments, cost, priority,
      client_ref, submitted_ms, done_ms, operator_name, operator_message_id, error;
};

void AddText(ArrayLiteral& a, const std::optional<std::string>& s) {
  if (s) {
    a.AddText(*s);
  } else {
    a.AddNull();
  }
}

void AddName(ArrayLiteral& a, const std::optional<std::string_view>& s) {
  if (s) {
    a.AddText(*s);
  } else {
    a.AddNull();
  }
}

template <typename Int>
void AddInt(ArrayLiteral& a, const std::optional<Int>& v) {
  if (v) {
    a.AddInt(*v);
  } else {
    a.AddNull();
  }
}

void AddRow(Columns& c, const MessageUpdate& u) {
  c.id.AddText(u.id);
  AddInt(c.account_id, u.account_id != 0 ? std::optional<int64_t>(u.account_id) : std::nullopt);
  c.created_ms.AddInt(u.created_at_ms);
  c.status.AddText(StatusName(u.status));
  AddText(c.to, u.to);
  AddText(c.from, u.from);
  AddName(c.encoding, u.encoding ? std::optional(EncodingName(*u.encoding)) : std::nullopt);
  AddInt(c.segments, u.segments);
  AddInt(c.cost, u.cost);
  AddName(c.priority, u.priority ? std::optional(PriorityName(*u.priority)) : std::nullopt);
  AddText(c.client_ref, u.client_ref);
  AddInt(c.submitted_ms, u.submitted_at_ms);
  AddInt(c.done_ms, u.done_at_ms);
  AddText(c.operator_name, u.operator_name);
  AddText(c.operator_message_id, u.operator_message_id);
  AddText(c.error, u.error);
}

}  // namespace

bool IsMissingPartition(const Status& status) {
  return status.message().find("no partition of relation") != std::string::npos;
}

Status BatchWriter::WriteOnce(const std::vector<MessageUpdate>& updates, std::string* sqlstate) {
  Columns c;
  for (const MessageUpdate& u : updates) AddRow(c, u);
  sqlstate->clear();
  return pool_->Transact([&](pqxx::work& tx) {
    try {
      Exec(tx, sql::kUpsertMessages, c.id.Finish(), c.account_id.Finish(), c.created_ms.Finish(),
           c.status.Finish(), c.to.Finish(), c.from.Finish(), c.encoding.Finish(),
           c.segments.Finish(), c.cost.Finish(), c.priority.Finish(), c.client_ref.Finish(),
           c.submitted_ms.Finish(), c.done_ms.Finish(), c.operator_name.Finish(),
           c.operator_message_id.Finish(), c.error.Finish());
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

Status BatchWriter::Write(const std::vector<MessageUpdate>& updates) {
  if (updates.empty()) return Status::Ok();
  std::string sqlstate;
  return WriteWithPartitions(updates, &sqlstate);
}

Status BatchWriter::WriteEach(const std::vector<MessageUpdate>& updates,
                              std::vector<std::string>* rejected) {
  for (const MessageUpdate& u : updates) {
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
      pqxx::result ddl = Exec(tx, sql::kPartitionDdlFor, day * kMsPerDay);
      const std::string text = ddl[0][0].as<std::string>();
      spdlog::info("report: {}", text);
      tx.exec0(text);
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
      tx.exec0("DROP TABLE IF EXISTS " + tx.quote_name(name));
      dropped.push_back(name);
    }
  });
  if (!s.ok()) return s;
  return dropped;
}

}  // namespace smsgw::report
