#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/account.h"
#include "api/auth_cache.h"
#include "common/status.h"
#include "redis/redis.h"

// API keys: `Authorization: Bearer <key>`. Redis keeps only the key's SHA-256
// (apikey:<hex> -> account id) and the account hash {a:<id>}:acct.
namespace smsgw::api {

// The key of an Authorization header value ("Bearer <key>", scheme case-insensitive).
// Unauthenticated when the header is missing, another scheme, or the key is empty, has
// spaces or control characters, or is longer than kMaxApiKeyLength.
inline constexpr size_t kMaxApiKeyLength = 256;
Result<std::string> ParseBearer(std::optional<std::string_view> header);

// The account from the reply to HMGET <acct> status price_normal price_express.
// Unauthenticated if the hash does not exist (all nil: the key outlived its account);
// Internal if a price is not an integer. Does not judge `disabled`.
Result<Account> ParseAccount(int64_t account_id, const redis::Reply& hmget);

// Checks keys against Redis through an AuthCache. Thread-safe; blocks on Redis on a cache miss.
class Authenticator {
 public:
  Authenticator(redis::Pool& pool, int64_t cache_ms, size_t cache_max_entries = 100000)
      : pool_(pool), cache_(cache_ms, cache_max_entries) {}

  // The caller's account. Errors: Unauthenticated (missing/unknown key), PermissionDenied
  // (account disabled), Unavailable (Redis down), Internal (malformed account data).
  Result<Account> Authenticate(std::optional<std::string_view> authorization_header);

  // Authenticate without touching Redis: the answer when the header alone or the cache decides
  // it, nullopt when the key must be looked up (then call Authenticate off the I/O thread).
  std::optional<Result<Account>> TryCached(std::optional<std::string_view> authorization_header);

  // Drops a key from the cache, e.g. after the ledger said its account is disabled or unknown.
  void Forget(const std::string& key_hash) { cache_.Erase(key_hash); }

 private:
  Result<Account> Lookup(const std::string& key_hash);

  redis::Pool& pool_;
  AuthCache cache_;
};

}  // namespace smsgw::api
