#pragma once

// Rows of `messages` made directly in PostgreSQL, for the report tests that need many or
// particular ones (equal timestamps, several days, a million rows): the report's reads do not
// care how a row was written, and the event path has tests of its own.
#include <chrono>
#include <pqxx/pqxx>
#include <string>

namespace smsgw::testing {

// Inserts `count` messages of `account`, one per ms from `first_ms` on (ids made in SQL, so
// this is one statement for any count), status cycling through the seven, cost 1..5. With
// `statement_triggers` false the statement triggers (stats, callbacks) are skipped for this
// session: a bulk load of a million rows would hand them one huge transition table.
inline void InsertMessagesSql(const std::string& dsn, int64_t account, int64_t first_ms, int64_t count,
                              bool statement_triggers = true) {
  pqxx::connection c(dsn);
  pqxx::work tx(c);
  tx.exec("SELECT smsgw_ensure_message_partitions(" +
           std::to_string((std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count() -
                           first_ms) / 86'400'000 + 2) +
           ", 2)");
  if (!statement_triggers) tx.exec0("SET LOCAL session_replication_role = replica");
  tx.exec_params0(R"SQL(
    INSERT INTO messages (id, account_id, created_at, status, to_number, encoding, segments, cost, priority,
                          client_ref)
    SELECT (substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || substr(r, 1, 3) || '-8' || substr(r, 4, 3) || '-'
            || substr(r, 7, 12))::uuid,
           $1::bigint, TIMESTAMPTZ 'epoch' + ms * INTERVAL '1 millisecond',
           (ARRAY['accepted','submitted','delivered','undelivered','failed','expired','canceled'])[g % 7 + 1],
           '+98912' || lpad((g % 10000000)::text, 7, '0'), 'gsm7', 1, g % 5 + 1, 'normal', 'bulk-' || g
    FROM (SELECT g, $2::bigint + g AS ms, lpad(to_hex($2::bigint + g), 12, '0') AS h,
                 md5(g::text || $1::text) AS r
          FROM generate_series(0, $3::bigint - 1) AS g) AS t
  )SQL", account, first_ms, count);
  tx.commit();
}

}  // namespace smsgw::testing
