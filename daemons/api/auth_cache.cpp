#include "api/auth_cache.h"

namespace smsgw::api {

std::optional<Account> AuthCache::Get(const std::string& key_hash, int64_t now_ms, int64_t max_age_ms) const {
  if (ttl_ms_ <= 0) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = entries_.find(key_hash);
  if (it == entries_.end() || it->second.expires_at_ms <= now_ms || now_ms - it->second.put_at_ms > max_age_ms) {
    return std::nullopt;
  }
  return it->second.account;
}

void AuthCache::Put(const std::string& key_hash, const Account& account, int64_t now_ms) {
  if (ttl_ms_ <= 0 || max_entries_ == 0) return;
  std::lock_guard lock(mu_);
  if (entries_.size() >= max_entries_ && entries_.find(key_hash) == entries_.end()) {
    std::erase_if(entries_, [&](const auto& kv) { return kv.second.expires_at_ms <= now_ms; });
    if (entries_.size() >= max_entries_) entries_.clear();
  }
  entries_[key_hash] = Entry{account, now_ms, now_ms + ttl_ms_};
}

void AuthCache::Erase(const std::string& key_hash) {
  std::lock_guard lock(mu_);
  entries_.erase(key_hash);
}

void AuthCache::EraseAccount(int64_t account_id) {
  std::lock_guard lock(mu_);
  std::erase_if(entries_, [&](const auto& kv) { return kv.second.account.id == account_id; });
}

void AuthCache::Clear() {
  std::lock_guard lock(mu_);
  entries_.clear();
}

size_t AuthCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace smsgw::api
