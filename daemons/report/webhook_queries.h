#pragma once

#include "pg/pg.h"

// The SQL of the status-callback sender (webhook_deliveries, migration 0020).
namespace smsgw::report::sql {

// Takes up to $1 due deliveries for sending: SKIP LOCKED, so several report instances share
// the queue without taking the same row, and next_at moves $2 ms ahead as a lease, so a row
// whose sender died while sending is taken again after it. The account's secret is read here,
// so a rotated secret signs the very next attempt.
inline constexpr pg::Query kClaimDeliveries{"report_claim_deliveries", R"SQL(
UPDATE webhook_deliveries AS d
SET next_at = now() + $2::bigint * INTERVAL '1 millisecond', attempts = d.attempts + 1,
    last_at = now()
WHERE d.id IN (SELECT id FROM webhook_deliveries
               WHERE state = 'pending' AND next_at <= now()
               ORDER BY next_at
               LIMIT $1::int
               FOR UPDATE SKIP LOCKED)
RETURNING d.id, d.kind, d.url, d.body, d.attempts,
          (SELECT a.webhook_secret FROM accounts a WHERE a.id = d.account_id)
)SQL"};

// Records the outcomes of a round of attempts, one array element per delivery: $1 ids, $2 HTTP
// codes (0: none), $3 errors ('' on success), $4 the delay before the next attempt (ms), $5
// whether trying again cannot help. A failure that would retry after $6 ms past the row's
// creation is given up instead.
inline constexpr pg::Query kRecordOutcomes{"report_record_outcomes", R"SQL(
UPDATE webhook_deliveries AS d
SET last_code = NULLIF(o.code, 0),
    last_error = NULLIF(o.error, ''),
    next_at = now() + o.delay_ms * INTERVAL '1 millisecond',
    state = CASE WHEN o.error = '' THEN 'delivered'
                 WHEN o.final OR now() + o.delay_ms * INTERVAL '1 millisecond'
                                   > d.created_at + $6::bigint * INTERVAL '1 millisecond' THEN 'failed'
                 ELSE 'pending' END,
    done_at = CASE WHEN o.error = '' OR o.final
                        OR now() + o.delay_ms * INTERVAL '1 millisecond'
                           > d.created_at + $6::bigint * INTERVAL '1 millisecond' THEN now() END
FROM unnest($1::bigint[], $2::int[], $3::text[], $4::bigint[], $5::boolean[]) AS o(id, code, error, delay_ms, final)
WHERE d.id = o.id
)SQL"};

// Finished deliveries and stats older than $1 days go with the partitions of those days.
inline constexpr pg::Query kPruneDeliveries{"report_prune_deliveries", R"SQL(
DELETE FROM webhook_deliveries
WHERE state <> 'pending' AND created_at < date_trunc('day', now(), 'UTC') - $1::int * INTERVAL '1 day'
)SQL"};
inline constexpr pg::Query kPruneStats{"report_prune_stats", R"SQL(
DELETE FROM message_stats WHERE hour < date_trunc('day', now(), 'UTC') - $1::int * INTERVAL '1 day'
)SQL"};

}  // namespace smsgw::report::sql
