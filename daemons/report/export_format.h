#pragma once

#include <string>
#include <string_view>

#include "proto/smsgw.pb.h"

// The text of an export (pure): rows as PostgreSQL's COPY text format gives them, turned into
// CSV (RFC 4180, a header line first) or JSON Lines. The columns, in order, are those of
// kExportColumns (export.cpp): id, status, to, from, encoding, segments, cost, priority,
// client_ref, accepted_at, submitted_at, done_at, error, with times as ms since the epoch.
namespace smsgw::report {

// The CSV header line ("id,status,...\n"); empty for JSON Lines.
std::string ExportHeader(v1::ExportFormat format);

// Appends one row (a COPY text line without its newline: tab-separated, \N for NULL,
// backslash escapes) to `out` as one CSV or JSONL line ending in '\n'. Times become RFC 3339;
// NULL becomes an empty CSV field or JSON null. False, with `out` unchanged, when the line does
// not have the expected number of fields.
bool AppendExportRow(std::string_view copy_line, v1::ExportFormat format, std::string* out);

}  // namespace smsgw::report
