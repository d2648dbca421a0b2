#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/account.h"
#include "api/auth_cache.h"
#include "common/status.h"
#include "redis/redis.h"

// API keys: `Authorization: Bearer <key>`, or Kannel's username (key id) and password (secret)
// joined with '.'. Redis keeps only the key's SHA-256 (apikey:<hex> -> account id) and the
// account hash {a:<id>}:acct, both written by smsgw-ledger.
namespace smsgw::api {

// The key of an Authorization header value ("Bearer <key>", scheme case-insensitive).
// Unauthenticated when the header is missing, another scheme, or the key is empty, has
// spaces or control characters, or is longer than kMaxApiKeyLength.
inline constexpr size_t kMaxApiKeyLength = 256;
Result<std::string> ParseBearer(std::optional<std::string_view> header);

// The account from the reply to HMGET <acct> status price_normal price_express [rate_rps
// rate_burst]. Unauthenticated if the hash does not exist (the first three nil: the key outlived
// its account); Internal if a price is not an integer. A missing or malformed rate field is 0
// (the configured default). Does not judge `disabled`.
Result<Account> ParseAccount(int64_t account_id, const redis::Reply& hmget);

// Checks keys against Redis through an AuthCache. Thread-safe; blocks on Redis on a cache miss.
class Authenticator {
 public:
  Authenticator(redis::Pool& pool, int64_t cache_ms, size_t cache_max_entries = 100000)
      : pool_(pool), cache_(cache_ms, cache_max_entries) {}

  // The account of `key`. Errors: Unauthenticated (unknown or malformed key), PermissionDenied
  // (account disabled), Unavailable (Redis down, or Redis emptied and being reloaded by
  // smsgw-ledger: review M12, contract 3), Internal (malformed account data).
  Result<Account> AuthenticateKey(const std::string& key);
  // AuthenticateKey without touching Redis: the answer when the cache decides it, nullopt when
  // the key must be looked up (then call AuthenticateKey off the I/O thread).
  std::optional<Result<Account>> TryCachedKey(const std::string& key);

  // The same for an Authorization header value.
  Result<Account> Authenticate(std::optional<std::string_view> authorization_header);
  std::optional<Result<Account>> TryCached(std::optional<std::string_view> authorization_header);

  // Drops cache entries, e.g. after the ledger said an account is disabled or unknown, or
  // smsgw-ledger published a revocation (AuthEvents).
  void Forget(const std::string& key_hash) { cache_.Erase(key_hash); }
  void ForgetAccount(int64_t account_id) { cache_.EraseAccount(account_id); }
  void ForgetAll() { cache_.Clear(); }

  // Whether revocations reach this instance at once (AuthEvents is subscribed). While they do
  // not, a cached key is trusted for kUnheardMaxAgeMs at most, so a revoked key is refused
  // within a second either way.
  void set_revocations_heard(bool heard) { heard_ = heard; }
  static constexpr int64_t kUnheardMaxAgeMs = 1000;

 private:
  Result<Account> Lookup(const std::string& key_hash);
  std::optional<Account> Cached(const std::string& key_hash, int64_t now_ms) const;

  redis::Pool& pool_;
  AuthCache cache_;
  std::atomic<bool> heard_{true};
};

}  // namespace smsgw::api
