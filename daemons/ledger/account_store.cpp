#include "ledger/account_store.h"

#include "pg/array.h"

namespace smsgw::ledger {
namespace {

const pg::Query kInsertAccount{
    "ledger_insert_account",
    "INSERT INTO accounts (name, price_normal, price_express) VALUES ($1, $2, $3) RETURNING id"};
const pg::Query kInsertApiKey{
    "ledger_insert_api_key", "INSERT INTO api_keys (key_hash, key_id, account_id) VALUES ($1, $2, $3)"};
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
    "SELECT id, name, status, price_normal, price_express, balance FROM accounts ORDER BY id"};
const pg::Query kLoadApiKeys{"ledger_load_api_keys",
                             "SELECT key_hash, account_id FROM api_keys WHERE revoked_at IS NULL"};
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

Result<int64_t> AccountStore::CreateAccount(const std::string& name, int64_t price_normal,
                                            int64_t price_express, const std::string& key_hash,
                                            const std::string& key_id) {
  int64_t id = 0;
  Status s = pool_.Transact([&](pqxx::work& tx) {
    id = pg::Exec(tx, kInsertAccount, name, price_normal, price_express)[0][0].as<int64_t>();
    pg::Exec(tx, kInsertApiKey, key_hash, key_id, id);
  });
  if (s.code() == ErrorCode::kConflict) return Status::Conflict("an account named '" + name + "' exists");
  if (!s.ok()) return s;
  return id;
}

Result<AccountStore::TopUp> AccountStore::RecordTopUp(int64_t account_id, const std::string& reference,
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

Status AccountStore::MarkTopUpApplied(int64_t account_id, const std::string& reference) {
  return pool_.Transact([&](pqxx::work& tx) { pg::Exec(tx, kMarkApplied, account_id, reference); });
}

Status AccountStore::MarkAllTopUpsApplied(const std::vector<int64_t>& account_ids) {
  if (account_ids.empty()) return Status::Ok();
  return pool_.Transact([&](pqxx::work& tx) { pg::Exec(tx, kMarkAllApplied, pg::IntArray(account_ids)); });
}

Result<std::vector<AccountStore::TopUp>> AccountStore::PendingTopUps() {
  std::vector<TopUp> out;
  Status s = pool_.Transact([&](pqxx::work& tx) {
    for (const pqxx::row& r : pg::Exec(tx, kPendingTopUps)) {
      out.push_back({r[0].as<int64_t>(), r[1].as<std::string>(), r[2].as<int64_t>(), true, false});
    }
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<AccountStore::Account>> AccountStore::LoadAccounts() {
  std::vector<Account> out;
  Status s = pool_.Transact([&](pqxx::work& tx) {
    for (const pqxx::row& r : pg::Exec(tx, kLoadAccounts)) {
      out.push_back({r[0].as<int64_t>(), r[1].as<std::string>(), r[2].as<std::string>(),
                     r[3].as<int64_t>(), r[4].as<int64_t>(), r[5].as<int64_t>()});
    }
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<AccountStore::ApiKey>> AccountStore::LoadApiKeys() {
  std::vector<ApiKey> out;
  Status s = pool_.Transact([&](pqxx::work& tx) {
    for (const pqxx::row& r : pg::Exec(tx, kLoadApiKeys)) {
      out.push_back({r[0].as<std::string>(), r[1].as<int64_t>()});
    }
  });
  if (!s.ok()) return s;
  return out;
}

Status AccountStore::ApplyFlushes(const std::vector<Flush>& flushes) {
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
