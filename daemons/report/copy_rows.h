#pragma once

#include <string>
#include <vector>

#include "event.h"

namespace smsgw::report {

// The rows of `updates` in PostgreSQL's COPY text format (tab-separated, \N for NULL, one line
// each, every line ending in '\n'), in the column order of the staging table (queries.h
// kCreateStaging): id, account_id, created_ms, status, to_number, from_number, encoding,
// segments, cost, priority, client_ref, submitted_ms, done_ms, operator_name,
// operator_message_id, error, callback_url, dlr_url, dlr_mask. Absent values and an account_id of 0 are NULL. Text is escaped
// (backslash, tab, newline, carriage return); it must hold no NUL (DecodeEvent strips them).
std::string CopyRows(const std::vector<MessageUpdate>& updates);

}  // namespace smsgw::report
