#include "sched/pick.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace smsgw::sched {
namespace {

// Review m17: the share is a controller aiming at 70% of the SLA, not a fixed 50% below it.
TEST(ExpressShareTest, RisesAboveTheAimAndFallsBelowIt) {
  const double start = 0.5;
  EXPECT_GT(NextExpressShare(start, 4000, 5000, 0.05, 0.1), start);  // 80%: more express
  EXPECT_LT(NextExpressShare(start, 1000, 5000, 0.05, 0.1), start);  // 20%: less
  EXPECT_DOUBLE_EQ(NextExpressShare(start, 3500, 5000, 0.05, 0.1), start);  // on the aim: steady
  // Further from the aim, faster; longer steps, larger changes.
  EXPECT_LT(NextExpressShare(start, 0, 5000, 0.05, 0.1), NextExpressShare(start, 2000, 5000, 0.05, 0.1));
  EXPECT_LT(NextExpressShare(start, 4000, 5000, 0.05, 0.05), NextExpressShare(start, 4000, 5000, 0.05, 0.2));
}

TEST(ExpressShareTest, NearNinetyPercentExpressGetsAllButNormalsMinimum) {
  EXPECT_DOUBLE_EQ(NextExpressShare(0.1, 4500, 5000, 0.05, 0.01), 0.95);
  EXPECT_DOUBLE_EQ(NextExpressShare(0.1, 50000, 5000, 0.05, 0.01), 0.95);
  EXPECT_DOUBLE_EQ(NextExpressShare(0.1, 50000, 5000, 0.2, 0.01), 0.8);
  // Never above the maximum, never below the floor that keeps express measured.
  double share = 0.5;
  for (int i = 0; i < 1000; ++i) share = NextExpressShare(share, 4400, 5000, 0.05, 1.0);
  EXPECT_DOUBLE_EQ(share, 0.95);
  for (int i = 0; i < 1000; ++i) share = NextExpressShare(share, 0, 5000, 0.05, 1.0);
  EXPECT_DOUBLE_EQ(share, kMinExpressShare);
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
