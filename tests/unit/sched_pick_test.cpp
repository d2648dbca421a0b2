#include "sched/pick.h"

#include <gtest/gtest.h>

namespace smsgw::sched {
namespace {

TEST(ExpressShareTest, EvenWhileLatencyIsWellInsideTheSla) {
  EXPECT_DOUBLE_EQ(ExpressShare(0, 5000, 0.05), 0.5);
  EXPECT_DOUBLE_EQ(ExpressShare(3500, 5000, 0.05), 0.5);  // exactly 70%
}

TEST(ExpressShareTest, RisesBetweenSeventyAndNinetyPercent) {
  const double at80 = ExpressShare(4000, 5000, 0.05);
  EXPECT_GT(at80, 0.5);
  EXPECT_LT(at80, 0.95);
  EXPECT_NEAR(at80, 0.725, 1e-9);  // halfway from 0.5 to 0.95
  EXPECT_LT(ExpressShare(3800, 5000, 0.05), ExpressShare(4200, 5000, 0.05));
}

TEST(ExpressShareTest, NormalKeepsItsMinimumSharePastNinetyPercent) {
  EXPECT_DOUBLE_EQ(ExpressShare(4500, 5000, 0.05), 0.95);
  EXPECT_DOUBLE_EQ(ExpressShare(50000, 5000, 0.05), 0.95);
  EXPECT_DOUBLE_EQ(ExpressShare(50000, 5000, 0.2), 0.8);
}

TEST(PickLevelTest, FollowsTheCoinAndGivesAnEmptySidesTurnToTheOther) {
  EXPECT_EQ(PickLevel(0.5, 0.2, false, false), Level::kExpress);
  EXPECT_EQ(PickLevel(0.5, 0.7, false, false), Level::kNormal);
  EXPECT_EQ(PickLevel(0.5, 0.2, true, false), Level::kNormal);
  EXPECT_EQ(PickLevel(0.5, 0.7, false, true), Level::kExpress);
}

TEST(PickLevelTest, SharesConvergeToTheProbability) {
  int express = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    if (PickLevel(0.95, (i + 0.5) / n, false, false) == Level::kExpress) ++express;
  }
  EXPECT_NEAR(express / static_cast<double>(n), 0.95, 0.001);
}

TEST(PickRouteTest, LongestPrefixAmongUsableRoutesWins) {
  const std::vector<std::vector<std::string>> prefixes{{}, {"+98"}, {"+98912"}};
  EXPECT_EQ(PickRoute("+989121234567", prefixes, {true, true, true}), 2);
  EXPECT_EQ(PickRoute("+989351234567", prefixes, {true, true, true}), 1);
  EXPECT_EQ(PickRoute("+14155550100", prefixes, {true, true, true}), 0);
  // Failover: the best route is down, the next best takes it.
  EXPECT_EQ(PickRoute("+989121234567", prefixes, {true, true, false}), 1);
  EXPECT_EQ(PickRoute("+989121234567", prefixes, {false, false, false}), -1);
  EXPECT_EQ(PickRoute("+14155550100", {{"+98"}}, {true}), -1);
}

}  // namespace
}  // namespace smsgw::sched
