#pragma once

#include "pg/pg.h"

// Every SQL statement of smsgw-report, named for pg_stat_statements. Times travel as bigint ms
// since the epoch and are converted with interval arithmetic, which is exact (to_timestamp goes
// through a double).
namespace smsgw::report::sql {

// Each batch is COPYed into this per-connection temporary table, then upserted from it in one
// statement: COPY parses rows for about a third less PostgreSQL CPU than unnest() of one array
// literal per column did, and a temporary table writes no WAL. ON COMMIT DELETE ROWS empties
// it at each commit; the notice "already exists, skipping" is kept out of the log.
inline constexpr const char* kCreateStaging = R"SQL(
SET LOCAL client_min_messages = warning;
CREATE TEMP TABLE IF NOT EXISTS report_staging (
  id uuid, account_id bigint, created_ms bigint, status text, to_number text, from_number text,
  encoding text, segments int, cost bigint, priority text, client_ref text, submitted_ms bigint,
  done_ms bigint, operator_name text, operator_message_id text, error text, callback_url text,
  dlr_url text, dlr_mask int
) ON COMMIT DELETE ROWS
)SQL";
inline constexpr const char* kStagingTable = "pg_temp.report_staging";

// Rows of one batch have distinct ids (Coalesce), as ON CONFLICT DO UPDATE needs; they come in
// id order, so concurrent batches lock rows in the same order. The status only moves up in
// rank; done_at and error stay those of the first final status, as the status does (an error
// arriving with another final status belongs to an outcome that did not happen: review m1); other
// columns keep their stored value where the batch has none (events of one message may arrive
// out of order across batches and consumers).
inline constexpr pg::Query kUpsertMessages{"report_upsert_staged", R"SQL(
INSERT INTO messages AS m (id, account_id, created_at, status, to_number, from_number, encoding,
                           segments, cost, priority, client_ref, submitted_at, done_at,
                           operator_name, operator_message_id, error, callback_url, dlr_url,
                           dlr_mask, updated_at)
SELECT u.id, COALESCE(u.account_id, 0),
       TIMESTAMPTZ 'epoch' + u.created_ms * INTERVAL '1 millisecond',
       u.status, u.to_number, u.from_number, u.encoding, u.segments, u.cost, u.priority,
       u.client_ref,
       TIMESTAMPTZ 'epoch' + u.submitted_ms * INTERVAL '1 millisecond',
       TIMESTAMPTZ 'epoch' + u.done_ms * INTERVAL '1 millisecond',
       u.operator_name, u.operator_message_id, u.error, u.callback_url, u.dlr_url, u.dlr_mask,
       now()
FROM pg_temp.report_staging AS u
ON CONFLICT (id, created_at) DO UPDATE SET
  account_id = COALESCE(NULLIF(EXCLUDED.account_id, 0), m.account_id),
  status = CASE WHEN smsgw_status_rank(EXCLUDED.status) > smsgw_status_rank(m.status)
                THEN EXCLUDED.status ELSE m.status END,
  to_number = COALESCE(EXCLUDED.to_number, m.to_number),
  from_number = COALESCE(EXCLUDED.from_number, m.from_number),
  encoding = COALESCE(EXCLUDED.encoding, m.encoding),
  segments = COALESCE(EXCLUDED.segments, m.segments),
  cost = COALESCE(EXCLUDED.cost, m.cost),
  priority = COALESCE(EXCLUDED.priority, m.priority),
  client_ref = COALESCE(EXCLUDED.client_ref, m.client_ref),
  submitted_at = COALESCE(EXCLUDED.submitted_at, m.submitted_at),
  done_at = CASE WHEN smsgw_status_rank(m.status) < 3 THEN COALESCE(EXCLUDED.done_at, m.done_at)
                 WHEN EXCLUDED.status = m.status THEN COALESCE(m.done_at, EXCLUDED.done_at)
                 ELSE m.done_at END,
  operator_name = COALESCE(EXCLUDED.operator_name, m.operator_name),
  operator_message_id = COALESCE(EXCLUDED.operator_message_id, m.operator_message_id),
  error = CASE WHEN smsgw_status_rank(m.status) < 3 THEN COALESCE(EXCLUDED.error, m.error)
               WHEN EXCLUDED.status = m.status THEN COALESCE(m.error, EXCLUDED.error)
               ELSE m.error END,
  callback_url = COALESCE(m.callback_url, EXCLUDED.callback_url),
  dlr_url = COALESCE(m.dlr_url, EXCLUDED.dlr_url),
  dlr_mask = COALESCE(m.dlr_mask, EXCLUDED.dlr_mask),
  updated_at = now()
)SQL"};

// Partition DDL locks the whole `messages` table (ACCESS EXCLUSIVE). Queued behind a long reader
// it would stall every writer and reader queued behind it, so it gives up after a while instead
// and is retried later.
inline constexpr pg::Query kDdlLockTimeout{"report_ddl_lock_timeout",
                                           "SELECT set_config('lock_timeout', '5s', true)"};

inline constexpr pg::Query kEnsurePartitions{
    "report_ensure_partitions", "SELECT smsgw_ensure_message_partitions($1::int, $2::int)"};

// The DDL creating the partition of the UTC day holding $1 (ms), named, bounded and stored as
// smsgw_ensure_message_partitions makes them (migration 0002: fillfactor 70 leaves room for the
// updates that follow each insert on the row's own page). DDL takes no parameters, so the
// server formats it (quoting included) and the caller runs the text it returns.
inline constexpr pg::Query kPartitionDdlFor{"report_partition_ddl_for", R"SQL(
SELECT format('CREATE TABLE IF NOT EXISTS %I PARTITION OF messages FOR VALUES FROM (%L) TO (%L) '
              'WITH (fillfactor = 70)',
              'messages_' || to_char(d, 'YYYYMMDD'),
              (d::timestamp AT TIME ZONE 'UTC'), ((d + 1)::timestamp AT TIME ZONE 'UTC'))
FROM (SELECT ((TIMESTAMPTZ 'epoch' + $1::bigint * INTERVAL '1 millisecond')
              AT TIME ZONE 'UTC')::date AS d) AS day
)SQL"};

// The DDL dropping the partition named $1 (one of kExpiredPartitions), the name quoted by the
// server as kPartitionDdlFor's are.
inline constexpr pg::Query kDropPartitionDdl{"report_drop_partition_ddl",
                                             "SELECT format('DROP TABLE IF EXISTS %I', $1::text)"};

// Daily partitions (messages_YYYYMMDD) whose whole day lies more than $1 days back (UTC).
inline constexpr pg::Query kExpiredPartitions{"report_expired_partitions", R"SQL(
SELECT c.relname::text
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'messages'::regclass
  AND c.relname ~ '^messages_[0-9]{8}$'
  AND to_date(substr(c.relname, 10), 'YYYYMMDD') < (now() AT TIME ZONE 'UTC')::date - $1::int
ORDER BY 1
)SQL"};

}  // namespace smsgw::report::sql
