#pragma once

#include "pg/pg.h"

// The SQL of smsgw-report's reads: one message, the paged list, stats and webhook deliveries.
// Times travel as bigint ms since the epoch. The export's COPY is built in export.cpp (COPY
// takes no parameters).
namespace smsgw::report::sql {

// The columns RecordFromRow (records.h) reads, in its order.
#define SMSGW_MESSAGE_COLUMNS                                                               \
  "id::text, account_id, status, to_number, from_number, encoding, segments, cost, priority, " \
  "client_ref, (EXTRACT(EPOCH FROM created_at) * 1000)::bigint, "                             \
  "(EXTRACT(EPOCH FROM submitted_at) * 1000)::bigint, "                                       \
  "(EXTRACT(EPOCH FROM done_at) * 1000)::bigint, operator_message_id, error, callback_url, "   \
  "operator_name "

// One message; created_at (from the UUIDv7) lets PostgreSQL read one partition. $3: the
// account, or NULL for any (administrators).
inline constexpr pg::Query kGetMessageAny{"report_get_message_any",
  "SELECT " SMSGW_MESSAGE_COLUMNS R"SQL(
FROM messages
WHERE id = $1::uuid
  AND created_at = TIMESTAMPTZ 'epoch' + $2::bigint * INTERVAL '1 millisecond'
  AND ($3::bigint IS NULL OR account_id = $3::bigint)
)SQL"};

// A page of one account, newest first. Keyset: every row strictly before ($2 ms, $3 id) in
// (created_at, id) order, which the index (account_id, created_at, id) serves as a range, so
// page 10,000 costs what page 1 does. $4: created_at >= (ms). $5: statuses (text[]), empty for
// any. $6: rows. The variants below use the (account_id, to_number|client_ref, created_at, id)
// indexes when those filters are given (one statement each, so each keeps a good generic plan).
#define SMSGW_LIST_WHERE                                                                        \
  " FROM messages WHERE account_id = $1::bigint "                                              \
  "AND (created_at, id) < (TIMESTAMPTZ 'epoch' + $2::bigint * INTERVAL '1 millisecond', $3::uuid) " \
  "AND created_at <= TIMESTAMPTZ 'epoch' + $2::bigint * INTERVAL '1 millisecond' "              \
  "AND created_at >= TIMESTAMPTZ 'epoch' + $4::bigint * INTERVAL '1 millisecond' "              \
  "AND (cardinality($5::text[]) = 0 OR status = ANY($5::text[])) "
#define SMSGW_LIST_ORDER " ORDER BY created_at DESC, id DESC LIMIT $6::int"

inline constexpr pg::Query kListMessages{
    "report_list_messages", "SELECT " SMSGW_MESSAGE_COLUMNS SMSGW_LIST_WHERE SMSGW_LIST_ORDER};
inline constexpr pg::Query kListMessagesTo{
    "report_list_messages_to",
    "SELECT " SMSGW_MESSAGE_COLUMNS SMSGW_LIST_WHERE "AND to_number = $7::text" SMSGW_LIST_ORDER};
inline constexpr pg::Query kListMessagesClientRef{
    "report_list_messages_client_ref",
    "SELECT " SMSGW_MESSAGE_COLUMNS SMSGW_LIST_WHERE
    "AND client_ref = $7::text AND ($8::text IS NULL OR to_number = $8::text)" SMSGW_LIST_ORDER};

#undef SMSGW_LIST_WHERE
#undef SMSGW_LIST_ORDER

// Per UTC day from $2 (ms, a day's start) on, and per hour from $3 (ms, an hour's start) on;
// rows whose messages all moved to another status are left out.
inline constexpr pg::Query kStatsByDay{"report_stats_by_day", R"SQL(
SELECT (EXTRACT(EPOCH FROM date_trunc('day', hour, 'UTC')) * 1000)::bigint AS day, status,
       sum(messages)::bigint, sum(cost)::bigint
FROM message_stats
WHERE account_id = $1::bigint AND hour >= TIMESTAMPTZ 'epoch' + $2::bigint * INTERVAL '1 millisecond'
GROUP BY 1, 2
HAVING sum(messages) <> 0
ORDER BY 1, 2
)SQL"};
inline constexpr pg::Query kStatsByHour{"report_stats_by_hour", R"SQL(
SELECT (EXTRACT(EPOCH FROM hour) * 1000)::bigint, status, messages, cost
FROM message_stats
WHERE account_id = $1::bigint AND hour >= TIMESTAMPTZ 'epoch' + $2::bigint * INTERVAL '1 millisecond'
  AND messages <> 0
ORDER BY 1, 2
)SQL"};

// The account's latest callback deliveries, newest first.
inline constexpr pg::Query kListWebhooks{"report_list_webhooks", R"SQL(
SELECT id, message_id::text, kind, status, url, state, attempts, COALESCE(last_code, 0),
       COALESCE(last_error, ''), (EXTRACT(EPOCH FROM created_at) * 1000)::bigint,
       COALESCE((EXTRACT(EPOCH FROM last_at) * 1000)::bigint, 0),
       (EXTRACT(EPOCH FROM next_at) * 1000)::bigint
FROM webhook_deliveries
WHERE account_id = $1::bigint
ORDER BY id DESC
LIMIT $2::int
)SQL"};

}  // namespace smsgw::report::sql
