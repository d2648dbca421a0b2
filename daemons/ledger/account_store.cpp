#include "ledger/account_store.h"

#include "ledger/account_sql.h"

namespace smsgw::ledger {
namespace {

const pg::Query kInsertAccount{"ledger_insert_account",
                               "INSERT INTO accounts (name, price_normal, price_express) VALUES ($1, $2, $3) "
                               "RETURNING id"};
const pg::Query kInsertApiKey{"ledger_insert_api_key",
                              "INSERT INTO api_keys (key_hash, key_id, account_id) VALUES ($1, $2, $3)"};
const pg::Query kSelectAccount{"ledger_select_account",
                               "SELECT " SMSGW_ACCOUNT_SETTINGS " FROM accounts WHERE id = $1"};
const pg::Query kListAccounts{"ledger_list_accounts",
                              "SELECT " SMSGW_ACCOUNT_SETTINGS " FROM accounts WHERE id > $1 ORDER BY id LIMIT $2"};
const pg::Query kSetStatus{"ledger_set_status",
                           "UPDATE accounts SET status = $2 WHERE id = $1 RETURNING " SMSGW_ACCOUNT_SETTINGS};
const pg::Query kSetPrices{"ledger_set_prices",
                           "UPDATE accounts SET price_normal = coalesce($2, price_normal), "
                           "price_express = coalesce($3, price_express) WHERE id = $1 "
                           "RETURNING " SMSGW_ACCOUNT_SETTINGS};
const pg::Query kSetWeight{"ledger_set_weight",
                           "UPDATE accounts SET weight = $2 WHERE id = $1 RETURNING " SMSGW_ACCOUNT_SETTINGS};
const pg::Query kSetRateLimit{"ledger_set_rate_limit",
                              "UPDATE accounts SET rate_limit_rps = nullif($2, 0), rate_limit_burst = nullif($3, 0) "
                              "WHERE id = $1 RETURNING " SMSGW_ACCOUNT_SETTINGS};
const pg::Query kSelectSecret{"ledger_select_webhook_secret", "SELECT webhook_secret FROM accounts WHERE id = $1"};
const pg::Query kSetSecret{"ledger_set_webhook_secret",
                           "UPDATE accounts SET webhook_secret = $2 WHERE id = $1 RETURNING webhook_secret"};

#define SMSGW_KEY_COLUMNS                                                           \
  "key_id, key_hash, account_id, (extract(epoch FROM created_at) * 1000)::bigint, " \
  "coalesce((extract(epoch FROM revoked_at) * 1000)::bigint, 0)"

const pg::Query kListKeys{
    "ledger_list_keys", "SELECT " SMSGW_KEY_COLUMNS " FROM api_keys WHERE account_id = $1 ORDER BY created_at, key_id"};
const pg::Query kLockKey{"ledger_lock_key", "SELECT " SMSGW_KEY_COLUMNS " FROM api_keys WHERE key_id = $1 FOR UPDATE"};
const pg::Query kRevokeKey{"ledger_revoke_key",
                           "UPDATE api_keys SET revoked_at = now() WHERE key_id = $1 RETURNING " SMSGW_KEY_COLUMNS};
const pg::Query kAllKeys{"ledger_all_keys", "SELECT " SMSGW_KEY_COLUMNS " FROM api_keys"};

#undef SMSGW_KEY_COLUMNS

AccountStore::Key ParseKey(const pqxx::row& r) {
  return {r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<int64_t>(), r[3].as<int64_t>(), r[4].as<int64_t>()};
}

Status NoAccount(int64_t id) { return Status::NotFound("account " + std::to_string(id) + " does not exist"); }

// Reads the settings of a result's first row; false when it has none.
bool FirstRow(const pqxx::result& r, AccountStore::Settings& out) {
  if (r.empty()) return false;
  out = ParseSettings(r[0]);
  return true;
}

}  // namespace

Result<AccountStore::Settings> AccountStore::OneAccount(int64_t id,
                                                        const std::function<bool(pqxx::work&, Settings&)>& fn) {
  Settings settings;
  bool found = false;
  Status s = pool_.Transact([&](pqxx::work& tx) { found = fn(tx, settings); });
  if (!s.ok()) return s;
  if (!found) return NoAccount(id);
  return settings;
}

Result<AccountStore::Settings> AccountStore::CreateAccount(const std::string& name, int64_t price_normal,
                                                           int64_t price_express, const std::string& key_hash,
                                                           const std::string& key_id) {
  Settings settings;
  Status s = pool_.Transact([&](pqxx::work& tx) {
    const int64_t id = pg::Exec(tx, kInsertAccount, name, price_normal, price_express)[0][0].as<int64_t>();
    pg::Exec(tx, kInsertApiKey, key_hash, key_id, id);
    settings = ParseSettings(pg::Exec(tx, kSelectAccount, id)[0]);
  });
  if (s.code() == ErrorCode::kConflict) return Status::Conflict("an account named '" + name + "' exists");
  if (!s.ok()) return s;
  return settings;
}

Result<AccountStore::Settings> AccountStore::GetAccount(int64_t id) {
  return OneAccount(id, [&](pqxx::work& tx, Settings& out) { return FirstRow(pg::Exec(tx, kSelectAccount, id), out); });
}

Result<std::vector<AccountStore::Settings>> AccountStore::ListAccounts(int64_t after_id, int limit) {
  std::vector<Settings> out;
  Status s = pool_.Transact([&](pqxx::work& tx) {
    for (const pqxx::row& r : pg::Exec(tx, kListAccounts, after_id, limit)) out.push_back(ParseSettings(r));
  });
  if (!s.ok()) return s;
  return out;
}

Result<AccountStore::Settings> AccountStore::SetStatus(int64_t id, bool active) {
  const std::string status = active ? "active" : "disabled";
  return OneAccount(id,
                    [&](pqxx::work& tx, Settings& out) { return FirstRow(pg::Exec(tx, kSetStatus, id, status), out); });
}

Result<AccountStore::Settings> AccountStore::SetPrices(int64_t id, std::optional<int64_t> normal,
                                                       std::optional<int64_t> express) {
  // pqxx 6 has no std::optional parameters: a null const char* is SQL NULL.
  const std::string normal_text = normal ? std::to_string(*normal) : "";
  const std::string express_text = express ? std::to_string(*express) : "";
  const char* normal_param = normal ? normal_text.c_str() : nullptr;
  const char* express_param = express ? express_text.c_str() : nullptr;
  return OneAccount(id, [&](pqxx::work& tx, Settings& out) {
    return FirstRow(pg::Exec(tx, kSetPrices, id, normal_param, express_param), out);
  });
}

Result<AccountStore::Settings> AccountStore::SetWeight(int64_t id, int weight) {
  return OneAccount(id,
                    [&](pqxx::work& tx, Settings& out) { return FirstRow(pg::Exec(tx, kSetWeight, id, weight), out); });
}

Result<AccountStore::Settings> AccountStore::SetRateLimit(int64_t id, int rps, int burst) {
  return OneAccount(
      id, [&](pqxx::work& tx, Settings& out) { return FirstRow(pg::Exec(tx, kSetRateLimit, id, rps, burst), out); });
}

Result<std::string> AccountStore::WebhookSecret(int64_t id, const std::optional<std::string>& replacement) {
  std::string secret;
  bool found = false;
  Status s = pool_.Transact([&](pqxx::work& tx) {
    pqxx::result r = replacement ? pg::Exec(tx, kSetSecret, id, *replacement) : pg::Exec(tx, kSelectSecret, id);
    found = !r.empty();
    if (found) secret = r[0][0].as<std::string>();
  });
  if (!s.ok()) return s;
  if (!found) return NoAccount(id);
  return secret;
}

Status AccountStore::AddKey(int64_t account_id, const std::string& key_hash, const std::string& key_id) {
  bool found = false;
  Status s = pool_.Transact([&](pqxx::work& tx) {
    // Locked so the account cannot go between the check and the insert (accounts are never
    // deleted today; the lock keeps that an assumption of this file only).
    found = !pg::Exec(tx, kLockAccount, account_id).empty();
    if (found) pg::Exec(tx, kInsertApiKey, key_hash, key_id, account_id);
  });
  if (!s.ok()) return s;
  if (!found) return NoAccount(account_id);
  return Status::Ok();
}

Result<std::vector<AccountStore::Key>> AccountStore::ListKeys(int64_t account_id) {
  std::vector<Key> out;
  bool found = false;
  Status s = pool_.Transact([&](pqxx::work& tx) {
    found = !pg::Exec(tx, kSelectAccount, account_id).empty();
    for (const pqxx::row& r : pg::Exec(tx, kListKeys, account_id)) out.push_back(ParseKey(r));
  });
  if (!s.ok()) return s;
  if (!found) return NoAccount(account_id);
  return out;
}

Result<AccountStore::Revoked> AccountStore::RevokeKey(const std::string& key_id) {
  Revoked out;
  bool found = false;
  Status s = pool_.Transact([&](pqxx::work& tx) {
    pqxx::result r = pg::Exec(tx, kLockKey, key_id);
    found = !r.empty();
    if (!found) return;
    out.key = ParseKey(r[0]);
    out.already = out.key.revoked_at_ms != 0;
    if (!out.already) out.key = ParseKey(pg::Exec(tx, kRevokeKey, key_id)[0]);
  });
  if (!s.ok()) return s;
  if (!found) return Status::NotFound("no API key with id '" + key_id + "'");
  return out;
}

Result<std::vector<AccountStore::Key>> AccountStore::AllKeys() {
  std::vector<Key> out;
  Status s = pool_.Transact([&](pqxx::work& tx) {
    for (const pqxx::row& r : pg::Exec(tx, kAllKeys)) out.push_back(ParseKey(r));
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace smsgw::ledger
