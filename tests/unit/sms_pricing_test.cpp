#include "sms/pricing.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace smsgw::sms {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

TEST(PricingTest, CostIsSegmentsTimesPrice) {
  EXPECT_EQ(*Price(1, 150), 150);
  EXPECT_EQ(*Price(3, 150), 450);
  EXPECT_EQ(*Price(255, 1'000'000'000), 255'000'000'000);
  EXPECT_EQ(*Price(0, 150), 0);
  EXPECT_EQ(*Price(4, 0), 0);
  EXPECT_EQ(*Price(1, kMax), kMax);
  EXPECT_EQ(*Price(255, kMax / 255), kMax / 255 * 255);
}

TEST(PricingTest, NegativeInputIsInvalid) {
  EXPECT_EQ(Price(-1, 150).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Price(1, -150).status().code(), ErrorCode::kInvalidArgument);
}

TEST(PricingTest, OverflowIsInternal) {
  auto cost = Price(2, kMax);
  ASSERT_FALSE(cost.ok());
  EXPECT_EQ(cost.status().code(), ErrorCode::kInternal);
  EXPECT_EQ(Price(255, kMax / 255 + 1).status().code(), ErrorCode::kInternal);
}

}  // namespace
}  // namespace smsgw::sms
