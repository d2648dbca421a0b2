// smsgw-api: API key parsing, account parsing, the auth cache.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "api/auth.h"

namespace smsgw::api {
namespace {

redis::Reply Str(std::string s) {
  redis::Reply r;
  r.type = redis::Reply::Type::kString;
  r.str = std::move(s);
  return r;
}

redis::Reply Arr(std::vector<redis::Reply> elements) {
  redis::Reply r;
  r.type = redis::Reply::Type::kArray;
  r.elements = std::move(elements);
  return r;
}

TEST(ApiAuthTest, ParsesBearer) {
  EXPECT_EQ(ParseBearer("Bearer sk_live_1").value(), "sk_live_1");
  EXPECT_EQ(ParseBearer("bearer   sk_live_1  ").value(), "sk_live_1");
  EXPECT_EQ(ParseBearer("BEARER\tk").value(), "k");
}

TEST(ApiAuthTest, RefusesOtherShapes) {
  for (std::optional<std::string_view> h : std::vector<std::optional<std::string_view>>{
           std::nullopt, "", "Bearer", "Bearer ", "Basic dXNlcg==", "Bearerabc", "Bearer a b", "Token abc"}) {
    Result<std::string> r = ParseBearer(h);
    ASSERT_FALSE(r.ok()) << (h ? *h : "(none)");
    EXPECT_EQ(r.status().code(), ErrorCode::kUnauthenticated);
  }
  EXPECT_FALSE(ParseBearer("Bearer " + std::string(kMaxApiKeyLength + 1, 'k')).ok());
  EXPECT_TRUE(ParseBearer("Bearer " + std::string(kMaxApiKeyLength, 'k')).ok());
}

TEST(ApiAuthTest, ParsesAccountHash) {
  Result<Account> a = ParseAccount(42, Arr({Str("active"), Str("10"), Str("25")}));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->id, 42);
  EXPECT_FALSE(a->disabled);
  EXPECT_EQ(a->price_normal, 10);
  EXPECT_EQ(a->price_express, 25);

  a = ParseAccount(42, Arr({Str("disabled"), Str("10"), redis::Reply{}}));
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->disabled);
  EXPECT_EQ(a->price_express, 10);  // unset: same as normal

  a = ParseAccount(42, Arr({Str("active"), Str("10"), Str("0")}));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->price_express, 10);  // 0: same as normal
}

TEST(ApiAuthTest, MissingAccountIsUnauthenticatedAndJunkIsInternal) {
  Result<Account> a = ParseAccount(7, Arr({redis::Reply{}, redis::Reply{}, redis::Reply{}}));
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), ErrorCode::kUnauthenticated);

  a = ParseAccount(7, Arr({Str("active"), Str("ten"), Str("1")}));
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), ErrorCode::kInternal);
  a = ParseAccount(7, Arr({Str("active"), Str("-1"), Str("1")}));
  EXPECT_EQ(a.status().code(), ErrorCode::kInternal);
  a = ParseAccount(7, Str("x"));
  EXPECT_EQ(a.status().code(), ErrorCode::kInternal);
}

Account MakeAccount(int64_t id) {
  Account a;
  a.id = id;
  a.price_normal = 1;
  a.price_express = 2;
  return a;
}

TEST(ApiAuthCacheTest, EntriesExpire) {
  AuthCache cache(1000, 10);
  cache.Put("h", MakeAccount(1), 5000);
  ASSERT_TRUE(cache.Get("h", 5999));
  EXPECT_EQ(cache.Get("h", 5999)->id, 1);
  EXPECT_FALSE(cache.Get("h", 6000));
  EXPECT_FALSE(cache.Get("other", 5000));
  cache.Erase("h");
  EXPECT_FALSE(cache.Get("h", 5000));
}

TEST(ApiAuthCacheTest, ZeroTtlCachesNothing) {
  AuthCache cache(0, 10);
  cache.Put("h", MakeAccount(1), 0);
  EXPECT_FALSE(cache.Get("h", 0));
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ApiAuthCacheTest, SizeIsBounded) {
  AuthCache cache(1000, 3);
  for (int i = 0; i < 3; ++i) cache.Put("k" + std::to_string(i), MakeAccount(i), 0);
  EXPECT_EQ(cache.size(), 3u);
  cache.Put("k0", MakeAccount(9), 0);  // an update needs no room
  EXPECT_EQ(cache.size(), 3u);
  cache.Put("k3", MakeAccount(3), 500);  // none expired: start over
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_TRUE(cache.Get("k3", 500));
  cache.Put("k4", MakeAccount(4), 600);
  cache.Put("k5", MakeAccount(5), 700);
  cache.Put("k6", MakeAccount(6), 1550);  // k3 expired at 1500: only it goes
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_FALSE(cache.Get("k3", 1550));
  EXPECT_TRUE(cache.Get("k4", 1550));
}

TEST(ApiAuthCacheTest, ConcurrentUseIsSafe) {
  AuthCache cache(1000, 50);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string key = "k" + std::to_string((i * 7 + t) % 80);
        cache.Put(key, MakeAccount(i), i);
        (void)cache.Get(key, i);
        if (i % 13 == 0) cache.Erase(key);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(cache.size(), 50u);
}

}  // namespace
}  // namespace smsgw::api
