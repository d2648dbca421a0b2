#include "export.h"

#include <pqxx/tablereader>
#include <stdexcept>
#include <string>

#include "export_format.h"
#include "proto/names.h"

namespace smsgw::report {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;

// The columns export_format.h expects, in its order. COPY takes no parameters, so the filter
// values are formatted into the text: integers and the names of known statuses only.
constexpr const char* kExportSelect =
    "SELECT id, status, to_number, from_number, encoding, segments, cost, priority, client_ref, "
    "(EXTRACT(EPOCH FROM created_at) * 1000)::bigint, (EXTRACT(EPOCH FROM submitted_at) * 1000)::bigint, "
    "(EXTRACT(EPOCH FROM done_at) * 1000)::bigint, error FROM messages ";

// Thrown through pqxx's COPY to end an export whose receiver went away.
struct ReceiverGone : std::runtime_error {
  ReceiverGone() : std::runtime_error("export receiver went away") {}
};

std::string TimeLiteral(int64_t ms) {
  return "(TIMESTAMPTZ 'epoch' + " + std::to_string(ms) + " * INTERVAL '1 millisecond')";
}

Result<std::string> ExportQuery(const v1::ExportRequest& request) {
  if (request.since_ms() < 0) return Status::InvalidArgument("since: must not be before 1970");
  if (request.until_ms() < 0) return Status::InvalidArgument("until: must not be before 1970");
  if (request.until_ms() > 0 && request.until_ms() <= request.since_ms()) {
    return Status::InvalidArgument("until: must be after since");
  }
  if (request.format() != v1::EXPORT_CSV && request.format() != v1::EXPORT_JSONL) {
    return Status::InvalidArgument("format: must be csv or jsonl");
  }
  std::string where = "WHERE account_id = " + std::to_string(request.account_id());
  if (request.since_ms() > 0) where += " AND created_at >= " + TimeLiteral(request.since_ms());
  if (request.until_ms() > 0) where += " AND created_at < " + TimeLiteral(request.until_ms());
  if (request.statuses_size() > 0) {
    std::string names;
    for (int s : request.statuses()) {
      const auto status = static_cast<v1::MessageStatus>(s);
      if (v1::StatusRank(status) == 0) return Status::InvalidArgument("status: unknown status " + std::to_string(s));
      names += (names.empty() ? "'" : ", '") + std::string(v1::StatusName(status)) + "'";
    }
    where += " AND status IN (" + names + ")";
  }
  return "(" + std::string(kExportSelect) + where + " ORDER BY created_at, id)";
}

}  // namespace

Status ExportMessages(pg::Pool& pool, const v1::ExportRequest& request,
                      const std::function<bool(const v1::ExportChunk&)>& emit) {
  Result<std::string> query = ExportQuery(request);
  if (!query.ok()) return query.status();
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
    // pqxx 6's tablereader runs "COPY <name> TO STDOUT" with the name as given, so a
    // parenthesised query streams its rows; one line at a time, never the whole result.
    pqxx::tablereader copy(tx, *query);
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
