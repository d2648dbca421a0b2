#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <unordered_map>

// Per-account request rate limits: a token bucket per account, refilled at `rps` tokens a second
// up to `burst`; each request takes one. Kept in this process's memory: each API instance
// limits the requests it receives (docs/decisions.md "Protection" says why, and what that means
// behind several instances). Thread-safe; a bucket per account, sharded to keep locks short.
namespace smsgw::api {

class RateLimiter {
 public:
  // The limits of accounts that have none of their own.
  RateLimiter(double default_rps, double default_burst) : default_rps_(default_rps), default_burst_(default_burst) {}

  // Takes a token for one request of `account_id` at `now_ms` (a steady clock), with the
  // account's own limits when positive (else the defaults). Returns 0 when the request may go,
  // else how many milliseconds until a token is there (at least 1).
  int64_t Take(int64_t account_id, double rps, double burst, int64_t now_ms);

  // Buckets kept (for tests).
  size_t size() const;

 private:
  struct Bucket {
    double tokens = 0;
    int64_t at_ms = 0;
  };
  // A shard holding more than kPruneAbove buckets (or twice what its last pruning kept) drops
  // those idle for kIdleMs (full again for any sane limit), so memory follows the accounts active
  // lately, not every account ever seen.
  static constexpr size_t kPruneAbove = 4096;
  static constexpr int64_t kIdleMs = 60000;
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<int64_t, Bucket> buckets;  // guarded by mu
    size_t prune_at = kPruneAbove;                 // guarded by mu
  };

  const double default_rps_;
  const double default_burst_;
  std::array<Shard, 16> shards_;
};

}  // namespace smsgw::api
