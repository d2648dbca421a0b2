#pragma once

#include <cstdint>

#include "common/status.h"
#include "pg/pg.h"
#include "proto/smsgw.pb.h"

// The queries smsgw-report answers (DESIGN.md section 6), as plain functions over a pool, so
// the gRPC service is a thin adapter and tests call them directly. Each returns
// kInvalidArgument with the field's name first ("limit: ...") for a bad request, and
// kUnavailable / kInternal when PostgreSQL fails. Thread-safe as the pool is.
namespace smsgw::report {

// The largest page ListMessages returns; 0 asks for kDefaultPageSize.
inline constexpr int kMaxPageSize = 1000;
inline constexpr int kDefaultPageSize = 100;

// One message: of request.account_id, or of any account when request.any_account.
// kInvalidArgument for an id that is not a UUIDv7, kNotFound when there is no such message.
Result<v1::MessageRecord> LookupMessage(pg::Pool& pool, const v1::GetMessageRequest& request);

// One page of an account's messages, newest first, filters combined with AND. next_cursor is
// set when more rows follow; an unknown or malformed cursor is "cursor: ...".
Result<v1::ListMessagesReply> ListMessages(pg::Pool& pool, const v1::ListMessagesRequest& request);

// Counts and cost per status: per UTC day for `days` days up to today, and per hour for the
// last 24 hours, read from message_stats (migration 0020), so the cost does not grow with the
// number of messages. `now_ms`: the clock.
Result<v1::StatsReply> GetStats(pg::Pool& pool, const v1::StatsRequest& request, int64_t now_ms);

// The account's latest status callbacks and where each stands.
Result<v1::ListWebhooksReply> ListWebhooks(pg::Pool& pool, const v1::ListWebhooksRequest& request);

}  // namespace smsgw::report
