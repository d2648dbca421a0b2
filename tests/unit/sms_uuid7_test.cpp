#include "sms/uuid7.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/time.h"

namespace smsgw::sms {
namespace {

// True for lowercase "xxxxxxxx-xxxx-7xxx-Vxxx-xxxxxxxxxxxx" with V one of 8 9 a b.
bool LooksLikeUuidV7(const std::string& id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return id[14] == '7' && std::string_view("89ab").find(id[19]) != std::string_view::npos;
}

TEST(Uuid7Test, Format) {
  for (int i = 0; i < 100; ++i) {
    const std::string id = NewUuidV7();
    EXPECT_TRUE(LooksLikeUuidV7(id)) << id;
    EXPECT_TRUE(IsUuid(id));
  }
}

TEST(Uuid7Test, VersionAndVariantBits) {
  const std::string id = NewUuidV7();
  const int version_nibble = std::stoi(id.substr(14, 1), nullptr, 16);
  const int variant_nibble = std::stoi(id.substr(19, 1), nullptr, 16);
  EXPECT_EQ(version_nibble, 7);
  EXPECT_EQ(variant_nibble >> 2, 0b10);
}

TEST(Uuid7Test, MonotonicWithinAThread) {
  std::string previous = NewUuidV7();
  for (int i = 0; i < 10000; ++i) {
    std::string id = NewUuidV7();
    ASSERT_LT(previous, id) << "at " << i;
    previous = std::move(id);
  }
}

TEST(Uuid7Test, UniqueAcrossThreads) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5000;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&ids, t] {
      for (int i = 0; i < kPerThread; ++i) ids[t].push_back(NewUuidV7());
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> all;
  for (const auto& list : ids) {
    for (size_t i = 1; i < list.size(); ++i) EXPECT_LT(list[i - 1], list[i]);
    all.insert(list.begin(), list.end());
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST(Uuid7Test, TimeIsNow) {
  const int64_t before = NowMs();
  const std::string id = NewUuidV7();
  const int64_t after = NowMs();
  auto ms = UuidV7TimeMs(id);
  ASSERT_TRUE(ms.ok()) << ms.status().ToString();
  EXPECT_GE(*ms, before);
  EXPECT_LE(*ms, after + 5);  // the counter may borrow a millisecond or two ahead
}

TEST(Uuid7Test, TimeOfTheRfcExample) {
  // RFC 9562 appendix A.6: 2022-02-22 19:22:22 UTC.
  auto ms = UuidV7TimeMs("017F22E2-79B0-7CC3-98C4-DC0C0C07398F");
  ASSERT_TRUE(ms.ok()) << ms.status().ToString();
  EXPECT_EQ(*ms, 1645557742000);
}

TEST(Uuid7Test, TimeRefusesOtherIds) {
  EXPECT_EQ(UuidV7TimeMs("f81d4fae-7dec-11d0-a765-00a0c91e6bf6").status().code(),  // v1
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(UuidV7TimeMs("919108f7-52d1-4320-9bac-f847db4148a8").status().code(),  // v4
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(UuidV7TimeMs("017f22e2-79b0-7cc3-18c4-dc0c0c07398f").status().code(),  // variant 0
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(UuidV7TimeMs("not-a-uuid").status().code(), ErrorCode::kInvalidArgument);
}

TEST(Uuid7Test, IsUuid) {
  EXPECT_TRUE(IsUuid("f81d4fae-7dec-11d0-a765-00a0c91e6bf6"));
  EXPECT_TRUE(IsUuid("F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6"));
  EXPECT_TRUE(IsUuid("00000000-0000-0000-0000-000000000000"));
  EXPECT_FALSE(IsUuid(""));
  EXPECT_FALSE(IsUuid("f81d4fae7dec11d0a76500a0c91e6bf6"));        // no dashes
  EXPECT_FALSE(IsUuid("f81d4fae-7dec-11d0-a765-00a0c91e6bf"));     // short
  EXPECT_FALSE(IsUuid("f81d4fae-7dec-11d0-a765-00a0c91e6bf6a"));   // long
  EXPECT_FALSE(IsUuid("g81d4fae-7dec-11d0-a765-00a0c91e6bf6"));    // not hex
  EXPECT_FALSE(IsUuid("f81d4fae-7dec-11d0-a76500-a0c91e6bf6"));    // dash misplaced
  EXPECT_FALSE(IsUuid("{81d4fae-7dec-11d0-a765-00a0c91e6bf6}"));
}

}  // namespace
}  // namespace smsgw::sms
