#include "ledger/money_store.h"

#include "ledger/account_sql.h"
#include "pg/array.h"

namespace smsgw::ledger {
namespace {

const pg::Query kSelectTopUp{"ledger_select_topup",
                             "SELECT amount, seq FROM topups WHERE account_id = $1 AND reference = $2"};
const pg::Query kCountTopUp{"ledger_count_topup",
                            "UPDATE accounts SET balance = balance + $2, topped_up = topped_up + $2, "
                            "topup_seq = topup_seq + 1 WHERE id = $1 RETURNING topup_seq"};
const pg::Query kInsertTopUp{"ledger_insert_topup",
                             "INSERT INTO topups (account_id, reference, amount, seq) VALUES ($1, $2, $3, $4)"};
const pg::Query kMarkApplied{"ledger_mark_topups_applied",
                             "UPDATE topups t SET applied = true "
                             "FROM unnest($1::bigint[], $2::bigint[]) AS m(account_id, seq) "
                             "WHERE t.account_id = m.account_id AND t.seq = m.seq AND NOT t.applied"};
const pg::Query kNotApplied{"ledger_topups_not_applied",
                            "SELECT account_id, reference, amount, seq FROM topups WHERE NOT applied "
                            "ORDER BY account_id, seq LIMIT $1"};
const pg::Query kTopUpsAfter{"ledger_topups_after",
                             "SELECT account_id, reference, amount, seq FROM topups "
                             "WHERE account_id = $1 AND seq > $2 ORDER BY seq"};
const pg::Query kLoadAccounts{"ledger_load_accounts",
                              "SELECT " SMSGW_ACCOUNT_SETTINGS
                              ", balance, held, charged, refunded, released, expired, topped_up, "
                              "topup_seq, flush_seq, coalesce((extract(epoch FROM flushed_at) * 1000)::bigint, 0) "
                              "FROM accounts WHERE id > $1 ORDER BY id LIMIT $2"};
const pg::Query kFlushSeqs{"ledger_flush_seqs", "SELECT id, flush_seq FROM accounts WHERE id = ANY($1::bigint[])"};

// One statement per batch of snapshots (review m12). `old` locks the rows it reads, in id order
// (two ledgers flushing overlapping accounts cannot deadlock), so the movements computed from it
// are exactly what this update changes, however many ledgers flush at once (review M14).
const pg::Query kApplySnapshots{
    "ledger_apply_snapshots",
    "WITH input AS ("
    "  SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[],"
    "                       $7::bigint[]) AS t(id, ops, held, charged, refunded, released, expired)),"
    " old AS ("
    "  SELECT a.id, a.held, a.charged, a.refunded, a.released, a.expired"
    "  FROM accounts a JOIN input i ON i.id = a.id WHERE a.flush_seq < i.ops ORDER BY a.id FOR UPDATE OF a),"
    " moved AS ("
    "  UPDATE accounts a SET held = i.held, charged = i.charged, refunded = i.refunded, released = i.released,"
    "    expired = i.expired,"
    "    balance = a.balance - (i.held - o.held) - (i.charged - o.charged) + (i.refunded - o.refunded),"
    "    flush_seq = i.ops, flushed_at = now()"
    "  FROM input i JOIN old o ON o.id = i.id"
    "  WHERE a.id = i.id AND a.flush_seq < i.ops"
    "  RETURNING a.id,"
    "    (i.held - o.held) + (i.charged - o.charged) + (i.released - o.released) + (i.expired - o.expired) AS debits,"
    "    i.charged - o.charged AS charges, (i.refunded - o.refunded) + (i.released - o.released) AS refunds,"
    "    i.expired - o.expired AS expiries),"
    " journal AS ("
    "  INSERT INTO ledger_activity AS l (account_id, hour, debits, charges, refunds, expiries)"
    "  SELECT id, date_trunc('hour', now()), debits, charges, refunds, expiries FROM moved"
    "  WHERE debits <> 0 OR charges <> 0 OR refunds <> 0 OR expiries <> 0"
    "  ON CONFLICT (account_id, hour) DO UPDATE SET debits = l.debits + EXCLUDED.debits,"
    "    charges = l.charges + EXCLUDED.charges, refunds = l.refunds + EXCLUDED.refunds,"
    "    expiries = l.expiries + EXCLUDED.expiries)"
    " SELECT id FROM moved"};

// Top-ups one by one and the hourly activity, one entry per kind that moved, merged newest first.
const pg::Query kHistory{
    "ledger_history",
    "SELECT at_us, rank, tiebreak, kind, amount, reference FROM ("
    "  SELECT (extract(epoch FROM created_at) * 1000000)::bigint AS at_us, 5 AS rank, seq AS tiebreak,"
    "         'topup' AS kind, amount, reference"
    "  FROM topups WHERE account_id = $1"
    "  UNION ALL"
    "  SELECT (extract(epoch FROM l.hour) * 1000000)::bigint, m.rank, 0, m.kind, m.amount, ''"
    "  FROM ledger_activity l CROSS JOIN LATERAL (VALUES (4, 'expiry', l.expiries), (3, 'refund', l.refunds),"
    "       (2, 'charge', l.charges), (1, 'debit', l.debits)) AS m(rank, kind, amount)"
    "  WHERE l.account_id = $1 AND m.amount <> 0) e "
    "WHERE $2::boolean OR (at_us, rank, tiebreak) < ($3::bigint, $4::int, $5::bigint) "
    "ORDER BY at_us DESC, rank DESC, tiebreak DESC LIMIT $6"};
const pg::Query kLoadBooks{
    "ledger_load_books",
    "SELECT a.id, coalesce(t.total, 0), a.balance, a.held, a.charged, a.refunded, a.topup_seq "
    "FROM accounts a LEFT JOIN LATERAL (SELECT sum(amount) AS total FROM topups WHERE account_id = a.id) t ON true "
    "WHERE a.id > $1 ORDER BY a.id LIMIT $2"};

MoneyStore::TopUp ParseTopUp(const pqxx::row& r) {
  return {r[0].as<int64_t>(), r[1].as<std::string>(), r[2].as<int64_t>(), r[3].as<int64_t>(), false};
}

}  // namespace

Result<MoneyStore::TopUp> MoneyStore::RecordTopUp(int64_t account_id, const std::string& reference, int64_t amount) {
  TopUp t{account_id, reference, amount, 0, false};
  bool exists = true;
  int64_t recorded_amount = amount;
  Status s = pool_.Transact([&](pqxx::work& tx) {
    // The account's row lock orders its top-ups: sequence numbers without gaps, and one row
    // per reference however many ask at once.
    if (pg::Exec(tx, kLockAccount, account_id).empty()) {
      exists = false;
      return;
    }
    pqxx::result found = pg::Exec(tx, kSelectTopUp, account_id, reference);
    if (!found.empty()) {
      t.duplicate = true;
      recorded_amount = found[0][0].as<int64_t>();
      t.seq = found[0][1].as<int64_t>();
      return;
    }
    t.seq = pg::Exec(tx, kCountTopUp, account_id, amount)[0][0].as<int64_t>();
    pg::Exec(tx, kInsertTopUp, account_id, reference, amount, t.seq);
  });
  if (!s.ok()) return s;
  if (!exists) return Status::NotFound("account " + std::to_string(account_id) + " does not exist");
  if (recorded_amount != amount) {
    return Status::Conflict("reference '" + reference + "' was used for a top-up of " +
                            std::to_string(recorded_amount));
  }
  return t;
}

Status MoneyStore::MarkApplied(const std::vector<TopUp>& topups) {
  if (topups.empty()) return Status::Ok();
  std::vector<int64_t> accounts;
  std::vector<int64_t> seqs;
  for (const TopUp& t : topups) {
    accounts.push_back(t.account_id);
    seqs.push_back(t.seq);
  }
  return pool_.Transact(
      [&](pqxx::work& tx) { pg::Exec(tx, kMarkApplied, pg::IntArray(accounts), pg::IntArray(seqs)); });
}

Result<std::vector<MoneyStore::TopUp>> MoneyStore::NotApplied(int limit) {
  std::vector<TopUp> out;
  Status s = pool_.Transact([&](pqxx::work& tx) {
    for (const pqxx::row& r : pg::Exec(tx, kNotApplied, limit)) out.push_back(ParseTopUp(r));
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<MoneyStore::TopUp>> MoneyStore::TopUpsAfter(int64_t account_id, int64_t seq) {
  std::vector<TopUp> out;
  Status s = pool_.Transact([&](pqxx::work& tx) {
    for (const pqxx::row& r : pg::Exec(tx, kTopUpsAfter, account_id, seq)) out.push_back(ParseTopUp(r));
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<MoneyStore::Durable>> MoneyStore::LoadAccounts(int64_t after_id, int limit) {
  std::vector<Durable> out;
  Status s = pool_.Transact([&](pqxx::work& tx) {
    for (const pqxx::row& r : pg::Exec(tx, kLoadAccounts, after_id, limit)) {
      Durable d;
      d.settings = ParseSettings(r);
      int c = kSettingsColumns;
      d.balance = r[c++].as<int64_t>();
      d.counters.held = r[c++].as<int64_t>();
      d.counters.charged = r[c++].as<int64_t>();
      d.counters.refunded = r[c++].as<int64_t>();
      d.counters.released = r[c++].as<int64_t>();
      d.counters.expired = r[c++].as<int64_t>();
      d.topped_up = r[c++].as<int64_t>();
      d.topup_seq = r[c++].as<int64_t>();
      d.flush_seq = r[c++].as<int64_t>();
      d.flushed_at_ms = r[c++].as<int64_t>();
      out.push_back(std::move(d));
    }
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<MoneyStore::Entry>> MoneyStore::History(int64_t account_id, const std::optional<Position>& before,
                                                           int limit) {
  std::vector<Entry> out;
  bool exists = false;
  const Position from = before.value_or(Position{});
  Status s = pool_.Transact([&](pqxx::work& tx) {
    exists = !pg::Exec(tx, kAccountExists, account_id).empty();
    for (const pqxx::row& r :
         pg::Exec(tx, kHistory, account_id, !before.has_value(), from.at_us, from.rank, from.tiebreak, limit)) {
      out.push_back({r[0].as<int64_t>(), r[1].as<int>(), r[2].as<int64_t>(), r[3].as<std::string>(), r[4].as<int64_t>(),
                     r[5].as<std::string>()});
    }
  });
  if (!s.ok()) return s;
  if (!exists) return Status::NotFound("account " + std::to_string(account_id) + " does not exist");
  return out;
}

Result<std::vector<MoneyStore::Books>> MoneyStore::LoadBooks(int64_t after_id, int limit) {
  std::vector<Books> out;
  Status s = pool_.Transact([&](pqxx::work& tx) {
    for (const pqxx::row& r : pg::Exec(tx, kLoadBooks, after_id, limit)) {
      out.push_back({r[0].as<int64_t>(), r[1].as<int64_t>(), r[2].as<int64_t>(), r[3].as<int64_t>(), r[4].as<int64_t>(),
                     r[5].as<int64_t>(), r[6].as<int64_t>()});
    }
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<int64_t>> MoneyStore::ApplySnapshots(const std::vector<Snapshot>& snapshots) {
  std::vector<int64_t> applied;
  if (snapshots.empty()) return applied;
  std::vector<int64_t> ids, ops, held, charged, refunded, released, expired;
  for (const Snapshot& s : snapshots) {
    ids.push_back(s.account_id);
    ops.push_back(s.ops);
    held.push_back(s.counters.held);
    charged.push_back(s.counters.charged);
    refunded.push_back(s.counters.refunded);
    released.push_back(s.counters.released);
    expired.push_back(s.counters.expired);
  }
  Status s = pool_.Transact([&](pqxx::work& tx) {
    for (const pqxx::row& r :
         pg::Exec(tx, kApplySnapshots, pg::IntArray(ids), pg::IntArray(ops), pg::IntArray(held), pg::IntArray(charged),
                  pg::IntArray(refunded), pg::IntArray(released), pg::IntArray(expired))) {
      applied.push_back(r[0].as<int64_t>());
    }
  });
  if (!s.ok()) return s;
  return applied;
}

Result<std::vector<std::pair<int64_t, int64_t>>> MoneyStore::FlushSeqs(const std::vector<int64_t>& account_ids) {
  std::vector<std::pair<int64_t, int64_t>> out;
  Status s = pool_.Transact([&](pqxx::work& tx) {
    for (const pqxx::row& r : pg::Exec(tx, kFlushSeqs, pg::IntArray(account_ids))) {
      out.emplace_back(r[0].as<int64_t>(), r[1].as<int64_t>());
    }
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace smsgw::ledger
