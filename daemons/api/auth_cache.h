#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "api/account.h"

namespace smsgw::api {

// Recent key-hash -> account lookups, so a busy key costs no Redis round trip per request.
// Entries live `ttl_ms` (a disabled account or revoked key takes at most that long to bite;
// the ledger refuses a disabled account's debits regardless). At most `max_entries` are kept:
// when full, expired entries are dropped, and if none were, everything is (simple, and a
// refill costs one lookup per key). A ttl of 0 disables the cache. Thread-safe.
class AuthCache {
 public:
  AuthCache(int64_t ttl_ms, size_t max_entries) : ttl_ms_(ttl_ms), max_entries_(max_entries) {}

  std::optional<Account> Get(const std::string& key_hash, int64_t now_ms) const;
  void Put(const std::string& key_hash, const Account& account, int64_t now_ms);
  void Erase(const std::string& key_hash);
  size_t size() const;

 private:
  struct Entry {
    Account account;
    int64_t expires_at_ms;
  };

  const int64_t ttl_ms_;
  const size_t max_entries_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
};

}  // namespace smsgw::api
