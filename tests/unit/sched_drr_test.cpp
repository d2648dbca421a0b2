// Deficit round robin over the active accounts: reviews C2 (accounts beyond the first 64
// starved), m10 (reads above capacity) and m22 (messages counted instead of segments, no
// weights).
#include "sched/drr.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace smsgw::sched {
namespace {

std::vector<int64_t> Range(int64_t from, int64_t to) {
  std::vector<int64_t> out;
  for (int64_t i = from; i <= to; ++i) out.push_back(i);
  return out;
}

// Review C2: with 300 accounts of which the 64 lowest ids flood, every account is visited
// within ceil(300 / 64) = 5 rounds, however long the floods last.
TEST(DrrTest, EveryAccountIsVisitedWithinABoundedNumberOfRounds) {
  DrrRing ring;
  ring.Add(Range(1, 300));
  std::set<int64_t> visited;
  for (int round = 0; round < 5; ++round) {
    for (const DrrRing::Grant& g : ring.Plan(10000, 64, 10)) {
      visited.insert(g.account);
      // The flooders read all they may; the others read one each.
      ring.Charge(g.account, g.messages, g.account <= 64 ? g.messages : 1, g.account <= 64 ? g.messages : 1);
    }
  }
  EXPECT_EQ(visited.size(), 300u);
}

TEST(DrrTest, HundredThousandAccountsStayCheapAndAreAllReached) {
  DrrRing ring;
  for (int64_t page = 0; page < 100; ++page) ring.Add(Range(page * 1000 + 1, page * 1000 + 1000));
  ring.EndScan();
  EXPECT_EQ(ring.size(), 100000u);
  std::set<int64_t> visited;
  const int rounds = (100000 + 63) / 64;
  for (int round = 0; round < rounds; ++round) {
    for (const DrrRing::Grant& g : ring.Plan(1000, 64, 10)) {
      visited.insert(g.account);
      ring.Charge(g.account, g.messages, g.messages, g.messages);
    }
  }
  EXPECT_EQ(visited.size(), 100000u);
}

// Review m10: never more than the capacity, even when max_streams x quantum is larger; the
// accounts that did not fit are first in the next round.
TEST(DrrTest, AGrantNeverExceedsTheCapacity) {
  DrrRing ring;
  ring.Add(Range(1, 64));
  std::vector<DrrRing::Grant> grants = ring.Plan(20, 64, 10);
  int total = 0;
  for (const auto& g : grants) total += g.messages;
  EXPECT_EQ(total, 20);
  ASSERT_EQ(grants.size(), 2u);
  for (const auto& g : grants) ring.Charge(g.account, g.messages, g.messages, g.messages);
  std::vector<DrrRing::Grant> next = ring.Plan(20, 64, 10);
  ASSERT_FALSE(next.empty());
  EXPECT_NE(next[0].account, grants[0].account);
  EXPECT_NE(next[0].account, grants[1].account);
  EXPECT_TRUE(ring.Plan(0, 64, 10).empty());
}

// Review m22: the share is counted in segments. A sender of 10-part messages reads as many
// messages as its deficit allows, goes ten times into debt, and then waits until the quantum
// has paid it back, so over many rounds it gets the segments a sender of single parts gets.
TEST(DrrTest, SharesAreCountedInSegmentsAndWeighted) {
  DrrRing ring;
  ring.Add({1, 2, 3});
  ring.SetWeight(3, 2);  // account 3 pays for twice the share
  std::map<int64_t, int64_t> segments;
  for (int round = 0; round < 1000; ++round) {
    for (const DrrRing::Grant& g : ring.Plan(1000, 64, 10)) {
      if (g.messages == 0) continue;
      // Account 1 sends 10-part messages; 2 and 3 single parts. All have plenty queued.
      const int got = g.messages;
      const int segs = g.account == 1 ? 10 * got : got;
      segments[g.account] += segs;
      ring.Charge(g.account, g.messages, got, segs);
    }
  }
  EXPECT_NEAR(static_cast<double>(segments[1]) / segments[2], 1.0, 0.05);
  EXPECT_NEAR(static_cast<double>(segments[3]) / segments[2], 2.0, 0.05);
}

// Weights hold when the operator's free window, not the quanta, bounds a round: with room for
// 7 messages a round, weight 3 still gets three times weight 1's share, and no deficit piles up
// while an account waits for room.
TEST(DrrTest, WeightsHoldWhenEachRoundHasLittleCapacity) {
  DrrRing ring;
  ring.Add({1, 2});
  ring.SetWeight(1, 3);
  std::map<int64_t, int64_t> read;
  for (int round = 0; round < 4000; ++round) {
    for (const DrrRing::Grant& g : ring.Plan(7, 64, 10)) {
      read[g.account] += g.messages;
      ring.Charge(g.account, g.messages, g.messages, g.messages);
      EXPECT_LE(ring.deficit(g.account), 30);
    }
  }
  EXPECT_NEAR(static_cast<double>(read[1]) / read[2], 3.0, 0.05);
  EXPECT_EQ(read[1] + read[2], 4000 * 7);
}

TEST(DrrTest, AnEmptiedAccountKeepsNoCreditAndLeaversAreDropped) {
  DrrRing ring;
  ring.Add({1, 2});
  for (const auto& g : ring.Plan(100, 64, 10)) ring.Charge(g.account, g.messages, 1, 1);
  EXPECT_EQ(ring.deficit(1), 0);  // asked 10, got 1: no credit kept
  ring.Remove(2);
  EXPECT_FALSE(ring.contains(2));
  EXPECT_EQ(ring.size(), 1u);
  // A scan that no longer returns 1 drops it; one that returns 3 adds it.
  ring.Add({3});
  ring.EndScan();
  ring.Add({3});
  ring.EndScan();
  EXPECT_FALSE(ring.contains(1));
  EXPECT_TRUE(ring.contains(3));
}

// New accounts go right after the cursor: a small sender that just became active is served in
// the next round, not after a pass over every other account.
TEST(DrrTest, NewAccountsAreServedNext) {
  DrrRing ring;
  ring.Add(Range(1, 1000));
  ring.EndScan();
  for (int round = 0; round < 16; ++round) {  // every one of them visited once: none is new now
    for (const auto& g : ring.Plan(640, 64, 10)) ring.Charge(g.account, g.messages, g.messages, g.messages);
  }
  ring.Add({5000});
  ring.Add({5001, 5002});  // later arrivals queue behind the earlier ones
  std::vector<DrrRing::Grant> next = ring.Plan(640, 64, 10);
  ASSERT_GE(next.size(), 3u);
  EXPECT_EQ(next[0].account, 5000);
  EXPECT_EQ(next[1].account, 5001);
  EXPECT_EQ(next[2].account, 5002);
  // Served in arrival order across rounds too: capacity for one account a round.
  ring.Add({6000});
  ring.Add({6001});
  EXPECT_EQ(ring.Plan(10, 64, 10)[0].account, 6000);
  EXPECT_EQ(ring.Plan(10, 64, 10)[0].account, 6001);
}

}  // namespace
}  // namespace smsgw::sched
