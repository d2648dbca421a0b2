#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "api/account.h"

namespace smsgw::api {

// Recent key-hash -> account lookups, so a busy key costs no Redis round trip per request.
// Entries live `ttl_ms`; a revoked key or a disabled account is dropped at once when smsgw-ledger
// says so (AuthEvents), and the ledger refuses a disabled account's debits regardless. At most
// `max_entries` are kept: when full, expired entries are dropped, and if none were, everything
// is (simple, and a refill costs one lookup per key). A ttl of 0 disables the cache.
// Thread-safe.
class AuthCache {
 public:
  AuthCache(int64_t ttl_ms, size_t max_entries) : ttl_ms_(ttl_ms), max_entries_(max_entries) {}

  // The entry, if it has not expired and is at most `max_age_ms` old.
  std::optional<Account> Get(const std::string& key_hash, int64_t now_ms,
                             int64_t max_age_ms = std::numeric_limits<int64_t>::max()) const;
  void Put(const std::string& key_hash, const Account& account, int64_t now_ms);
  void Erase(const std::string& key_hash);
  void EraseAccount(int64_t account_id);  // every key of the account
  void Clear();
  size_t size() const;

 private:
  struct Entry {
    Account account;
    int64_t put_at_ms;
    int64_t expires_at_ms;
  };

  const int64_t ttl_ms_;
  const size_t max_entries_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
};

}  // namespace smsgw::api
