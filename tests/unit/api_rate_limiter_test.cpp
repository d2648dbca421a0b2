// smsgw-api: the per-account token buckets behind 429.
#include <gtest/gtest.h>

#include "api/rate_limiter.h"

namespace smsgw::api {
namespace {

TEST(ApiRateLimiterTest, ABurstThenOneRequestPerToken) {
  RateLimiter limiter(/*default_rps=*/10, /*default_burst=*/3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Take(1, 0, 0, 1000), 0) << i;
  EXPECT_EQ(limiter.Take(1, 0, 0, 1000), 100);  // the next token in 1/10 s
  EXPECT_EQ(limiter.Take(1, 0, 0, 1050), 50);
  EXPECT_EQ(limiter.Take(1, 0, 0, 1100), 0);
  EXPECT_GT(limiter.Take(1, 0, 0, 1100), 0);
  // Never more than the burst, however long the account was idle.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Take(1, 0, 0, 100000), 0);
  EXPECT_GT(limiter.Take(1, 0, 0, 100000), 0);
}

TEST(ApiRateLimiterTest, AccountsAreApartAndMayHaveTheirOwnLimits) {
  RateLimiter limiter(1, 1);
  EXPECT_EQ(limiter.Take(1, 0, 0, 0), 0);
  EXPECT_EQ(limiter.Take(1, 0, 0, 0), 1000);
  EXPECT_EQ(limiter.Take(2, 0, 0, 0), 0);  // another account is not affected
  for (int i = 0; i < 50; ++i) EXPECT_EQ(limiter.Take(3, 1000, 50, 0), 0) << i;  // its own limits
  EXPECT_EQ(limiter.Take(3, 1000, 50, 0), 1);
}

TEST(ApiRateLimiterTest, IdleAccountsAreForgotten) {
  RateLimiter limiter(100, 100);
  constexpr int64_t kAccounts = 100000;  // more than the buckets a shard keeps before pruning
  for (int64_t a = 0; a < kAccounts; ++a) limiter.Take(a, 0, 0, 0);
  EXPECT_EQ(limiter.size(), static_cast<size_t>(kAccounts));  // all active: none dropped
  for (int64_t a = 0; a < kAccounts; ++a) limiter.Take(kAccounts + a, 0, 0, 120000);  // two minutes later
  EXPECT_LT(limiter.size(), static_cast<size_t>(kAccounts + kAccounts / 2));
}

}  // namespace
}  // namespace smsgw::api
