#include "export.h"

#include <pqxx/tablereader>
#include <stdexcept>
#include <string>

#include "export_format.h"
#include "proto/names.h"

namespace smsgw::report {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;

// COPY takes no parameters, so its text is a constant and the filter travels in settings of
// the transaction (set_config(..., true)), written by a parametrised statement first: no value
// of the request is ever formatted into SQL. current_setting() is stable, so the index on
// (account_id, created_at, id) and partition pruning at executor start still apply. The
// columns are those export_format.h expects, in its order.
constexpr pg::Query kExportFilter{"report_export_filter", R"SQL(
SELECT set_config('smsgw.export_account', $1::bigint::text, true),
       set_config('smsgw.export_since_ms', $2::bigint::text, true),
       set_config('smsgw.export_until_ms', $3::bigint::text, true),
       set_config('smsgw.export_statuses', $4::text, true)
)SQL"};
constexpr const char* kExportCopy = R"SQL((
SELECT id, status, to_number, from_number, encoding, segments, cost, priority, client_ref,
       (EXTRACT(EPOCH FROM created_at) * 1000)::bigint, (EXTRACT(EPOCH FROM submitted_at) * 1000)::bigint,
       (EXTRACT(EPOCH FROM done_at) * 1000)::bigint, error
FROM messages
WHERE account_id = current_setting('smsgw.export_account')::bigint
  AND created_at >= TIMESTAMPTZ 'epoch' + current_setting('smsgw.export_since_ms')::bigint * INTERVAL '1 millisecond'
  AND created_at < TIMESTAMPTZ 'epoch' + current_setting('smsgw.export_until_ms')::bigint * INTERVAL '1 millisecond'
  AND (current_setting('smsgw.export_statuses') = ''
       OR status = ANY (string_to_array(current_setting('smsgw.export_statuses'), ',')))
ORDER BY created_at, id
))SQL";

// No `until`: the end of year 9999, later than any message.
constexpr int64_t kNoUntilMs = 253402300800000;

// Thrown through pqxx's COPY to end an export whose receiver went away.
struct ReceiverGone : std::runtime_error {
  ReceiverGone() : std::runtime_error("export receiver went away") {}
};

// The request's filter as kExportFilter's parameters; kInvalidArgument for a bad request.
struct ExportFilter {
  int64_t since_ms = 0;
  int64_t until_ms = kNoUntilMs;
  std::string statuses;  // known status names joined with ','; empty: any
};

Result<ExportFilter> FilterOf(const v1::ExportRequest& request) {
  if (request.since_ms() < 0) return Status::InvalidArgument("since: must not be before 1970");
  if (request.until_ms() < 0) return Status::InvalidArgument("until: must not be before 1970");
  if (request.until_ms() > 0 && request.until_ms() <= request.since_ms()) {
    return Status::InvalidArgument("until: must be after since");
  }
  if (request.since_ms() >= kNoUntilMs || request.until_ms() > kNoUntilMs) {
    return Status::InvalidArgument("since, until: must be before the year 10000");
  }
  if (request.format() != v1::EXPORT_CSV && request.format() != v1::EXPORT_JSONL) {
    return Status::InvalidArgument("format: must be csv or jsonl");
  }
  ExportFilter f;
  f.since_ms = request.since_ms();
  if (request.until_ms() > 0) f.until_ms = request.until_ms();
  for (int s : request.statuses()) {
    const auto status = static_cast<v1::MessageStatus>(s);
    if (v1::StatusRank(status) == 0) return Status::InvalidArgument("status: unknown status " + std::to_string(s));
    f.statuses += (f.statuses.empty() ? "" : ",") + std::string(v1::StatusName(status));
  }
  return f;
}

}  // namespace

Status ExportMessages(pg::Pool& pool, const v1::ExportRequest& request,
                      const std::function<bool(const v1::ExportChunk&)>& emit) {
  Result<ExportFilter> filter = FilterOf(request);
  if (!filter.ok()) return filter.status();
  bool gone = false;
  Status s = pool.Transact([&](pqxx::work& tx) {
    v1::ExportChunk chunk;
    std::string* data = chunk.mutable_data();
    data->reserve(kChunkBytes + 4096);
    *data = ExportHeader(request.format());
    auto flush = [&] {
      if (!emit(chunk)) {
        gone = true;
        // Ends the COPY on the server now; otherwise closing the reader would read (and drop)
        // every row left.
        tx.conn().cancel_query();
        throw ReceiverGone();
      }
      data->clear();
      chunk.set_rows(0);
    };
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    Exec(tx, kExportFilter, request.account_id(), filter->since_ms, filter->until_ms, filter->statuses);
    // pqxx 6's tablereader runs "COPY <name> TO STDOUT" with the name as given, so a
    // parenthesised query streams its rows; one line at a time, never the whole result.
    pqxx::tablereader copy(tx, kExportCopy);
    std::string line;
    while (copy.get_raw_line(line)) {
      if (!line.empty() && line.back() == '\n') line.pop_back();  // pqxx 6 keeps the newline
      if (!AppendExportRow(line, request.format(), data)) {
        throw std::runtime_error("export: a COPY line with an unexpected number of fields");
      }
      chunk.set_rows(chunk.rows() + 1);
      if (data->size() >= kChunkBytes) flush();
    }
    copy.complete();
#pragma GCC diagnostic pop
    if (!data->empty() || chunk.rows() > 0) flush();
  });
  if (gone) return Status::Unavailable("export: the receiver went away");
  return s.WithContext("report ExportMessages");
}

}  // namespace smsgw::report
