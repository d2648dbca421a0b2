#include "ledger/money_store.h"

#include "pg/array.h"

namespace smsgw::ledger {
namespace {

const pg::Query kAccountExists{"ledger_account_exists", "SELECT 1 FROM accounts WHERE id = $1"};
const pg::Query kInsertTopUp{
    "ledger_insert_topup",
    "INSERT INTO topups (account_id, reference, amount) VALUES ($1, $2, $3) "
    "ON CONFLICT (account_id, reference) DO NOTHING RETURNING amount"};
const pg::Query kAddToBalance{"ledger_add_to_balance",
                              "UPDATE accounts SET balance = balance + $2 WHERE id = $1"};
const pg::Query kSelectTopUp{"ledger_select_topup",
                             "SELECT amount, applied FROM topups WHERE account_id = $1 AND reference = $2"};
const pg::Query kMarkApplied{"ledger_mark_topup_applied",
                             "UPDATE topups SET applied = true WHERE account_id = $1 AND reference = $2"};
const pg::Query kMarkAllApplied{
    "ledger_mark_all_topups_applied",
    "UPDATE topups SET applied = true WHERE NOT applied AND account_id = ANY($1::bigint[])"};
const pg::Query kPendingTopUps{"ledger_pending_topups",
                               "SELECT account_id, reference, amount FROM topups WHERE NOT applied"};
const pg::Query kLoadAccounts{
    "ledger_load_accounts",
    "SELECT id, name, status, price_normal, price_express, weight, coalesce(rate_limit_rps, 0), "
    "coalesce(rate_limit_burst, 0), balance FROM accounts ORDER BY id"};
const pg::Query kApplyFlushes{
    "ledger_apply_flushes",
    "WITH input AS ("
    "  SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS t(flush_id, account_id, amount)),"
    " fresh AS ("
    "  INSERT INTO ledger_flushes (flush_id, account_id, amount)"
    "  SELECT flush_id, account_id, amount FROM input ON CONFLICT (flush_id) DO NOTHING"
    "  RETURNING account_id, amount)"
    " UPDATE accounts a SET balance = a.balance + s.amount"
    " FROM (SELECT account_id, sum(amount) AS amount FROM fresh GROUP BY account_id) s"
    " WHERE a.id = s.account_id"};

}  // namespace

Result<MoneyStore::TopUp> MoneyStore::RecordTopUp(int64_t account_id, const std::string& reference,
                                                      int64_t amount) {
  TopUp t{account_id, reference, amount, false, false};
  bool exists = true;
  int64_t recorded_amount = amount;
  Status s = pool_.Transact([&](pqxx::work& tx) {
    if (pg::Exec(tx, kAccountExists, account_id).empty()) {
      exists = false;
      return;
    }
    if (!pg::Exec(tx, kInsertTopUp, account_id, reference, amount).empty()) {
      pg::Exec(tx, kAddToBalance, account_id, amount);
      return;
    }
    pqxx::row row = pg::Exec(tx, kSelectTopUp, account_id, reference)[0];
    t.duplicate = true;
    recorded_amount = row[0].as<int64_t>();
    t.applied = row[1].as<bool>();
  });
  if (!s.ok()) return s;
  if (!exists) return Status::NotFound("account " + std::to_string(account_id) + " does not exist");
  if (recorded_amount != amount) {
    return Status::Conflict("reference '" + reference + "' was used for a top-up of " +
                            std::to_string(recorded_amount));
  }
  return t;
}

Status MoneyStore::MarkTopUpApplied(int64_t account_id, const std::string& reference) {
  return pool_.Transact([&](pqxx::work& tx) { pg::Exec(tx, kMarkApplied, account_id, reference); });
}

Status MoneyStore::MarkAllTopUpsApplied(const std::vector<int64_t>& account_ids) {
  if (account_ids.empty()) return Status::Ok();
  return pool_.Transact([&](pqxx::work& tx) { pg::Exec(tx, kMarkAllApplied, pg::IntArray(account_ids)); });
}

Result<std::vector<MoneyStore::TopUp>> MoneyStore::PendingTopUps() {
  std::vector<TopUp> out;
  Status s = pool_.Transact([&](pqxx::work& tx) {
    for (const pqxx::row& r : pg::Exec(tx, kPendingTopUps)) {
      out.push_back({r[0].as<int64_t>(), r[1].as<std::string>(), r[2].as<int64_t>(), true, false});
    }
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<MoneyStore::Account>> MoneyStore::LoadAccounts() {
  std::vector<Account> out;
  Status s = pool_.Transact([&](pqxx::work& tx) {
    for (const pqxx::row& r : pg::Exec(tx, kLoadAccounts)) {
      Account a;
      a.settings.id = r[0].as<int64_t>();
      a.settings.name = r[1].as<std::string>();
      a.settings.status = r[2].as<std::string>();
      a.settings.price_normal = r[3].as<int64_t>();
      a.settings.price_express = r[4].as<int64_t>();
      a.settings.weight = r[5].as<int>();
      a.settings.rate_rps = r[6].as<int>();
      a.settings.rate_burst = r[7].as<int>();
      a.balance = r[8].as<int64_t>();
      out.push_back(std::move(a));
    }
  });
  if (!s.ok()) return s;
  return out;
}

Status MoneyStore::ApplyFlushes(const std::vector<Flush>& flushes) {
  if (flushes.empty()) return Status::Ok();
  std::vector<std::string> ids;
  std::vector<int64_t> accounts;
  std::vector<int64_t> amounts;
  for (const Flush& f : flushes) {
    ids.push_back(f.flush_id);
    accounts.push_back(f.account_id);
    amounts.push_back(f.amount);
  }
  return pool_.Transact([&](pqxx::work& tx) {
    pg::Exec(tx, kApplyFlushes, pg::TextArray(ids), pg::IntArray(accounts), pg::IntArray(amounts));
  });
}

}  // namespace smsgw::ledger
