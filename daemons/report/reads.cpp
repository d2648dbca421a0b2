#include "reads.h"

#include <optional>
#include <string>
#include <vector>

#include "cursor.h"
#include "event.h"
#include "pg/array.h"
#include "read_queries.h"

namespace smsgw::report {
namespace {

constexpr int64_t kMsPerHour = 3'600'000;
constexpr int64_t kMsPerDay = 24 * kMsPerHour;
constexpr int kMaxStatsDays = 366;
// Past any created_at: 9999-12-31T23:59:59.999Z, PostgreSQL's timestamptz can hold it.
constexpr int64_t kEndOfTimeMs = 253'402'300'799'999;
constexpr const char* kLowestId = "00000000-0000-0000-0000-000000000000";
constexpr const char* kHighestId = "ffffffff-ffff-ffff-ffff-ffffffffffff";

int64_t MsOrZero(const pqxx::field& f) { return f.is_null() ? 0 : f.as<int64_t>(); }
std::string TextOrEmpty(const pqxx::field& f) { return f.is_null() ? std::string() : f.as<std::string>(); }

// The columns of SMSGW_MESSAGE_COLUMNS (read_queries.h), in order.
v1::MessageRecord RecordFromRow(const pqxx::row& r) {
  v1::MessageRecord m;
  m.set_id(r[0].as<std::string>());
  m.set_account_id(r[1].as<int64_t>());
  m.set_status(v1::StatusFromName(r[2].as<std::string>()));
  m.set_to(TextOrEmpty(r[3]));
  m.set_from(TextOrEmpty(r[4]));
  m.set_encoding(v1::EncodingFromName(TextOrEmpty(r[5])));
  m.set_segments(r[6].is_null() ? 0 : r[6].as<int32_t>());
  m.set_cost(MsOrZero(r[7]));
  m.set_priority(v1::PriorityFromName(TextOrEmpty(r[8])));
  m.set_client_ref(TextOrEmpty(r[9]));
  m.set_accepted_at_ms(MsOrZero(r[10]));
  m.set_submitted_at_ms(MsOrZero(r[11]));
  m.set_done_at_ms(MsOrZero(r[12]));
  m.set_operator_message_id(TextOrEmpty(r[13]));
  m.set_error(TextOrEmpty(r[14]));
  m.set_callback_url(TextOrEmpty(r[15]));
  m.set_operator_name(TextOrEmpty(r[16]));
  return m;
}

// The statuses' names as a text[] literal; "status: ..." for a value that is not a status.
Result<std::string> StatusArray(const google::protobuf::RepeatedField<int>& statuses) {
  std::vector<std::string> names;
  for (int s : statuses) {
    const auto status = static_cast<v1::MessageStatus>(s);
    if (v1::StatusRank(status) == 0) return Status::InvalidArgument("status: unknown status " + std::to_string(s));
    names.emplace_back(v1::StatusName(status));
  }
  return pg::TextArray(names);
}

// Where a page starts: strictly before (ms, id) in (created_at, id) order.
struct PageStart {
  int64_t ms = kEndOfTimeMs;
  std::string id = kHighestId;
};

Result<PageStart> StartOf(const v1::ListMessagesRequest& request) {
  PageStart start;
  if (!request.cursor().empty()) {
    Result<std::string> id = DecodeCursor(request.cursor());
    if (!id.ok()) return id.status();
    start.ms = UuidV7TimeMs(*id).value();
    start.id = *id;
  }
  // until is exclusive: (until, lowest id) lies before every row created at `until`.
  if (request.until_ms() > 0 && request.until_ms() <= start.ms) {
    start.ms = request.until_ms();
    start.id = kLowestId;
  }
  return start;
}

}  // namespace

Result<v1::MessageRecord> LookupMessage(pg::Pool& pool, const v1::GetMessageRequest& request) {
  Result<int64_t> created_ms = UuidV7TimeMs(request.message_id());
  if (!created_ms.ok()) return created_ms.status().WithContext("message_id");
  const std::string id = CanonicalUuid(request.message_id()).value();
  std::optional<v1::MessageRecord> found;
  Status s = pool.Transact([&](pqxx::work& tx) {
    found.reset();
    pqxx::result rows = request.any_account()
                            ? Exec(tx, sql::kGetMessageAny, id, created_ms.value(), nullptr)
                            : Exec(tx, sql::kGetMessageAny, id, created_ms.value(), request.account_id());
    if (!rows.empty()) found = RecordFromRow(rows[0]);
  });
  if (!s.ok()) return s.WithContext("report GetMessage");
  if (!found) return Status::NotFound("message " + id + " not found");
  return *std::move(found);
}

Result<v1::ListMessagesReply> ListMessages(pg::Pool& pool, const v1::ListMessagesRequest& request) {
  const int limit = request.limit() == 0 ? kDefaultPageSize : request.limit();
  if (limit < 1 || limit > kMaxPageSize) {
    return Status::InvalidArgument("limit: must be from 1 to " + std::to_string(kMaxPageSize));
  }
  if (request.since_ms() < 0) return Status::InvalidArgument("since: must not be before 1970");
  if (request.until_ms() < 0) return Status::InvalidArgument("until: must not be before 1970");
  if (request.until_ms() > 0 && request.until_ms() <= request.since_ms()) {
    return Status::InvalidArgument("until: must be after since");
  }
  Result<std::string> statuses = StatusArray(request.statuses());
  if (!statuses.ok()) return statuses.status();
  Result<PageStart> start = StartOf(request);
  if (!start.ok()) return start.status();

  std::vector<v1::MessageRecord> rows;
  Status s = pool.Transact([&](pqxx::work& tx) {
    rows.clear();
    const int fetch = limit + 1;  // one more tells whether another page follows
    pqxx::result r;
    if (!request.client_ref().empty() && request.to().empty()) {
      r = Exec(tx, sql::kListMessagesClientRef, request.account_id(), start->ms, start->id, request.since_ms(),
               *statuses, fetch, request.client_ref(), nullptr);
    } else if (!request.client_ref().empty()) {
      r = Exec(tx, sql::kListMessagesClientRef, request.account_id(), start->ms, start->id, request.since_ms(),
               *statuses, fetch, request.client_ref(), request.to());
    } else if (!request.to().empty()) {
      r = Exec(tx, sql::kListMessagesTo, request.account_id(), start->ms, start->id, request.since_ms(), *statuses,
               fetch, request.to());
    } else {
      r = Exec(tx, sql::kListMessages, request.account_id(), start->ms, start->id, request.since_ms(), *statuses,
               fetch);
    }
    for (const auto& row : r) rows.push_back(RecordFromRow(row));
  });
  if (!s.ok()) return s.WithContext("report ListMessages");

  v1::ListMessagesReply reply;
  const bool more = rows.size() > static_cast<size_t>(limit);
  if (more) rows.resize(static_cast<size_t>(limit));
  for (v1::MessageRecord& m : rows) *reply.add_messages() = std::move(m);
  if (more) reply.set_next_cursor(EncodeCursor(reply.messages(limit - 1).id()));
  return reply;
}

Result<v1::StatsReply> GetStats(pg::Pool& pool, const v1::StatsRequest& request, int64_t now_ms) {
  if (request.days() < 1 || request.days() > kMaxStatsDays) {
    return Status::InvalidArgument("days: must be from 1 to " + std::to_string(kMaxStatsDays));
  }
  const int64_t first_day = (now_ms / kMsPerDay - (request.days() - 1)) * kMsPerDay;
  const int64_t first_hour = (now_ms / kMsPerHour - 23) * kMsPerHour;
  v1::StatsReply reply;
  auto fill = [](const pqxx::result& r, google::protobuf::RepeatedPtrField<v1::StatsRow>* out) {
    for (const auto& row : r) {
      v1::StatsRow* s = out->Add();
      s->set_start_ms(row[0].as<int64_t>());
      s->set_status(v1::StatusFromName(row[1].as<std::string>()));
      s->set_messages(row[2].as<int64_t>());
      s->set_cost(row[3].as<int64_t>());
    }
  };
  Status s = pool.Transact([&](pqxx::work& tx) {
    reply.Clear();
    fill(Exec(tx, sql::kStatsByDay, request.account_id(), first_day), reply.mutable_days());
    fill(Exec(tx, sql::kStatsByHour, request.account_id(), first_hour), reply.mutable_hours());
  });
  if (!s.ok()) return s.WithContext("report GetStats");
  return reply;
}

Result<v1::ListWebhooksReply> ListWebhooks(pg::Pool& pool, const v1::ListWebhooksRequest& request) {
  const int limit = request.limit() == 0 ? kDefaultPageSize : request.limit();
  if (limit < 1 || limit > kMaxPageSize) {
    return Status::InvalidArgument("limit: must be from 1 to " + std::to_string(kMaxPageSize));
  }
  v1::ListWebhooksReply reply;
  Status s = pool.Transact([&](pqxx::work& tx) {
    reply.Clear();
    for (const auto& row : Exec(tx, sql::kListWebhooks, request.account_id(), limit)) {
      v1::WebhookDelivery* d = reply.add_deliveries();
      d->set_id(row[0].as<int64_t>());
      d->set_message_id(row[1].as<std::string>());
      d->set_kind(row[2].as<std::string>());
      d->set_status(row[3].as<std::string>());
      d->set_url(row[4].as<std::string>());
      d->set_state(row[5].as<std::string>());
      d->set_attempts(row[6].as<int32_t>());
      d->set_last_code(row[7].as<int32_t>());
      d->set_last_error(row[8].as<std::string>());
      d->set_created_at_ms(row[9].as<int64_t>());
      d->set_last_at_ms(row[10].as<int64_t>());
      d->set_next_at_ms(row[11].as<int64_t>());
    }
  });
  if (!s.ok()) return s.WithContext("report ListWebhooks");
  return reply;
}

}  // namespace smsgw::report
