#include "sched/outcomes.h"

#include <gtest/gtest.h>

#include "keys/keys.h"

namespace smsgw::sched {
namespace {

QueuedMessage Message() {
  QueuedMessage m;
  m.stream = keys::AccountQueue(7);
  m.entry_id = "1700000000000-0";
  m.envelope.set_id("0190d6c5-0000-7000-8000-000000000001");
  m.envelope.set_account_id(7);
  m.envelope.set_cost(20);
  return m;
}

TEST(OutcomesTest, SubmittedRecordsEveryPartBeforeTheAck) {
  std::vector<redis::Command> cmds = SubmittedCommands(Message(), "op1", {"a1", "a2"}, 3600, 42);
  ASSERT_EQ(cmds.size(), 5u);
  EXPECT_EQ(cmds[0][0], "SET");
  EXPECT_EQ(cmds[0][1], "dlr:op1:a1");
  EXPECT_EQ(cmds[0][2], "7:0190d6c5-0000-7000-8000-000000000001:2");
  EXPECT_EQ(cmds[1][1], "dlr:op1:a2");
  EXPECT_EQ(cmds[2][0], "XADD");
  v1::StatusEvent ev;
  ASSERT_TRUE(ev.ParseFromString(cmds[2][4]));
  EXPECT_EQ(ev.status(), v1::STATUS_SUBMITTED);
  EXPECT_EQ(ev.operator_message_id(), "a1,a2");
  EXPECT_EQ(ev.at_ms(), 42);
  EXPECT_EQ(cmds[3][0], "XACK");
  EXPECT_EQ(cmds[4][0], "XDEL");
}

TEST(OutcomesTest, RetryKeepsTheStreamAndCountsTheAttempt) {
  std::vector<redis::Command> cmds = RetryCommands(Message(), 3, 9000);
  ASSERT_EQ(cmds.size(), 3u);
  EXPECT_EQ(cmds[0][0], "ZADD");
  EXPECT_EQ(cmds[0][2], "9000");
  const std::string& member = cmds[0][3];
  const size_t nl = member.find('\n');
  ASSERT_NE(nl, std::string::npos);
  EXPECT_EQ(member.substr(0, nl), keys::AccountQueue(7));
  v1::Envelope e;
  ASSERT_TRUE(e.ParseFromString(member.substr(nl + 1)));
  EXPECT_EQ(e.attempts(), 3);
}

TEST(OutcomesTest, DeadLetterWritesReasonAndFailedEvent) {
  std::vector<redis::Command> cmds = DeadLetterCommands(Message(), "op1: ESME_RSUBMITFAIL", 5);
  ASSERT_EQ(cmds.size(), 4u);
  EXPECT_EQ(cmds[0][1], keys::kDeadLetters);
  v1::StatusEvent ev;
  ASSERT_TRUE(ev.ParseFromString(cmds[1][4]));
  EXPECT_EQ(ev.status(), v1::STATUS_FAILED);
  EXPECT_EQ(ev.error(), "op1: ESME_RSUBMITFAIL");
}

TEST(BackoffTest, GrowsExponentiallyWithinJitterAndCap) {
  EXPECT_EQ(BackoffMs(1, 0.0), 500);  // never below half the base
  EXPECT_EQ(BackoffMs(1, 0.999999), 1999);
  EXPECT_LT(BackoffMs(3, 0.5), BackoffMs(5, 0.5));
  EXPECT_LE(BackoffMs(30, 0.999999), 300000);
}

}  // namespace
}  // namespace smsgw::sched
