#include "ledger/unflushed.h"

#include <gtest/gtest.h>

namespace smsgw::ledger {
namespace {

TEST(UnflushedTest, WhatAFlushCoversIsForgotten) {
  Unflushed u;
  u.Debited(1, 5, 10, 1000);
  u.Debited(1, 6, 20, 1000);
  u.Debited(1, 8, 40, 1000);
  u.Debited(2, 3, 7, 1000);
  u.Flushed(1, 6);
  Unflushed::Lost lost = u.LostAfter(1, 6);
  EXPECT_EQ(lost.amount, 40);
  EXPECT_EQ(lost.debits, 1);
  EXPECT_EQ(u.LostAfter(1, 0).amount, 0);  // reported once
  EXPECT_EQ(u.LostAfter(2, 2).amount, 7);
}

TEST(UnflushedTest, OnlyDebitsAfterTheOpsRedisKeptAreLost) {
  Unflushed u;
  for (int64_t ops = 1; ops <= 10; ++ops) u.Debited(1, ops, 3, 1000);
  Unflushed::Lost lost = u.LostAfter(1, 7);
  EXPECT_EQ(lost.amount, 9);
  EXPECT_EQ(lost.debits, 3);
}

TEST(UnflushedTest, OldDebitsAreForgottenSoMemoryStaysBounded) {
  Unflushed u;
  u.Debited(1, 1, 5, 1000);
  u.Debited(1, 2, 5, 1000 + Unflushed::kKeepMs + 1);  // another ledger flushed the first
  EXPECT_EQ(u.LostAfter(1, 0).amount, 5);
}

}  // namespace
}  // namespace smsgw::ledger
