#pragma once

#include <pqxx/pqxx>

#include "ledger/account_store.h"
#include "pg/pg.h"

// SQL that account_store.cpp and money_store.cpp share.

// The columns of an account's settings as ParseSettings reads them, for SELECT lists and
// RETURNING clauses (a macro, so that they stay string literals that the queries are
// concatenated from).
#define SMSGW_ACCOUNT_SETTINGS                                                           \
  "id, name, status, price_normal, price_express, weight, coalesce(rate_limit_rps, 0), " \
  "coalesce(rate_limit_burst, 0), (extract(epoch FROM created_at) * 1000)::bigint, "     \
  "(SELECT count(*) FROM api_keys k WHERE k.account_id = accounts.id AND k.revoked_at IS NULL)"

namespace smsgw::ledger {

inline const pg::Query kAccountExists{"ledger_account_exists", "SELECT 1 FROM accounts WHERE id = $1"};
// Locks the account's row until the transaction ends (it orders the account's top-ups, and keeps
// it from going while a key is added to it).
inline const pg::Query kLockAccount{"ledger_lock_account", "SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE"};

// The number of columns SMSGW_ACCOUNT_SETTINGS selects.
inline constexpr int kSettingsColumns = 10;

inline AccountStore::Settings ParseSettings(const pqxx::row& r) {
  AccountStore::Settings s;
  s.id = r[0].as<int64_t>();
  s.name = r[1].as<std::string>();
  s.status = r[2].as<std::string>();
  s.price_normal = r[3].as<int64_t>();
  s.price_express = r[4].as<int64_t>();
  s.weight = r[5].as<int>();
  s.rate_rps = r[6].as<int>();
  s.rate_burst = r[7].as<int>();
  s.created_at_ms = r[8].as<int64_t>();
  s.active_keys = r[9].as<int>();
  return s;
}

}  // namespace smsgw::ledger
