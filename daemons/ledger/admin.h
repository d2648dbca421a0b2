#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "ledger/account_store.h"
#include "proto/smsgw.pb.h"
#include "redis/redis.h"

namespace smsgw::ledger {

// Account and API key administration (smsgw.proto, "account and key administration").
// PostgreSQL is written first, as the truth; then the account hash and API key entries in
// Redis, then the notice on keys::kAuthChannel, so API instances drop what they cached
// (areas contract 2). A Redis failure after the PostgreSQL write is returned as kUnavailable:
// the change is kept, and repeating the call finishes it (every call here is idempotent).
// Thread-safe.
class Admin {
 public:
  Admin(redis::Pool& redis, AccountStore& accounts) : redis_(redis), accounts_(accounts) {}

  Result<v1::CreateAccountReply> CreateAccount(const v1::CreateAccountRequest& req);
  Result<v1::AccountRecord> GetAccount(int64_t account_id);
  Result<v1::ListAccountsReply> ListAccounts(const v1::ListAccountsRequest& req);
  Result<v1::AccountRecord> SetStatus(const v1::SetStatusRequest& req);
  Result<v1::AccountRecord> SetPrices(const v1::SetPricesRequest& req);
  Result<v1::AccountRecord> SetWeight(const v1::SetWeightRequest& req);
  Result<v1::AccountRecord> SetRateLimit(const v1::SetRateLimitRequest& req);
  Result<v1::WebhookSecretReply> WebhookSecret(const v1::WebhookSecretRequest& req);

  Result<v1::CreateKeyReply> CreateKey(int64_t account_id);
  Result<v1::ListKeysReply> ListKeys(int64_t account_id);
  // Deletes the key's Redis entry and publishes "key <hash>", also when it was revoked before
  // (a repeat finishes what a failure left).
  Result<v1::RevokeKeyReply> RevokeKey(const std::string& key_id);

 private:
  // Writes the settings to the account hash (if Redis has the account) and publishes
  // "account <id>".
  Status Mirror(const AccountStore::Settings& settings);
  // A settings change: Mirror, then the record with the hot money.
  Result<v1::AccountRecord> Changed(Result<AccountStore::Settings> settings);
  // The records of `settings` with their hot money from Redis, in one round trip.
  Result<std::vector<v1::AccountRecord>> Records(const std::vector<AccountStore::Settings>& settings);

  redis::Pool& redis_;
  AccountStore& accounts_;
};

}  // namespace smsgw::ledger
