#include "api/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace smsgw::api {

int64_t RateLimiter::Take(int64_t account_id, double rps, double burst, int64_t now_ms) {
  if (rps <= 0) rps = default_rps_;
  if (burst <= 0) burst = default_burst_;
  burst = std::max(burst, 1.0);
  Shard& shard = shards_[static_cast<uint64_t>(account_id) % shards_.size()];
  std::lock_guard lock(shard.mu);
  if (shard.buckets.size() > shard.prune_at) {
    std::erase_if(shard.buckets, [&](const auto& kv) { return now_ms - kv.second.at_ms > kIdleMs; });
    shard.prune_at = std::max(kPruneAbove, 2 * shard.buckets.size());  // amortised: not on every call
  }
  auto [it, fresh] = shard.buckets.try_emplace(account_id, Bucket{burst, now_ms});
  Bucket& b = it->second;
  if (!fresh) {
    b.tokens = std::min(burst, b.tokens + static_cast<double>(std::max<int64_t>(0, now_ms - b.at_ms)) * rps / 1000.0);
    b.at_ms = std::max(b.at_ms, now_ms);
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1.0 - b.tokens) * 1000.0 / rps)));
}

size_t RateLimiter::size() const {
  size_t n = 0;
  for (const Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.buckets.size();
  }
  return n;
}

}  // namespace smsgw::api
