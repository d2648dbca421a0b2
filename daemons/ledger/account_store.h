#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "pg/pg.h"

namespace smsgw::ledger {

// Accounts and API keys in PostgreSQL, the durable truth of who may send and at what price.
// Thread-safe (each call takes a connection from the pool). An unknown account or key is
// kNotFound; a taken account name kConflict.
class AccountStore {
 public:
  explicit AccountStore(pg::Pool& pool) : pool_(pool) {}

  // An account's settings as PostgreSQL keeps them.
  struct Settings {
    int64_t id = 0;
    std::string name;
    std::string status;  // active | disabled
    int64_t price_normal = 0;
    int64_t price_express = 0;
    int weight = 1;
    int rate_rps = 0;  // 0: the API's configured rate
    int rate_burst = 0;
    int64_t created_at_ms = 0;
    int active_keys = 0;
  };
  struct Key {
    std::string key_id;
    std::string key_hash;
    int64_t account_id = 0;
    int64_t created_at_ms = 0;
    int64_t revoked_at_ms = 0;  // 0: in use
  };
  struct Revoked {
    Key key;
    bool already = false;  // it was revoked before this call
  };

  // Inserts the account and its first key in one transaction.
  Result<Settings> CreateAccount(const std::string& name, int64_t price_normal, int64_t price_express,
                                 const std::string& key_hash, const std::string& key_id);
  Result<Settings> GetAccount(int64_t id);
  // Up to `limit` accounts with an id above `after_id`, in id order.
  Result<std::vector<Settings>> ListAccounts(int64_t after_id, int limit);

  Result<Settings> SetStatus(int64_t id, bool active);
  // An unset price stays as it is.
  Result<Settings> SetPrices(int64_t id, std::optional<int64_t> normal, std::optional<int64_t> express);
  Result<Settings> SetWeight(int64_t id, int weight);
  // rps = burst = 0 clears the account's own limit.
  Result<Settings> SetRateLimit(int64_t id, int rps, int burst);
  // The account's webhook secret; with `replacement`, stores that one first.
  Result<std::string> WebhookSecret(int64_t id, const std::optional<std::string>& replacement);

  Status AddKey(int64_t account_id, const std::string& key_hash, const std::string& key_id);
  Result<std::vector<Key>> ListKeys(int64_t account_id);
  // Sets revoked_at (once: a second call keeps the first time).
  Result<Revoked> RevokeKey(const std::string& key_id);
  // Keys of every account, in use and revoked (revoked_at_ms > 0), for reloading Redis.
  Result<std::vector<Key>> AllKeys();

 private:
  // Runs `fn` in a transaction; kNotFound naming the account when `found` stays false.
  Result<Settings> OneAccount(int64_t id, const std::function<bool(pqxx::work&, Settings&)>& fn);

  pg::Pool& pool_;
};

}  // namespace smsgw::ledger
