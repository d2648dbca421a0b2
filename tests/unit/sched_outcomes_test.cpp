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

TEST(OutcomesTest, SubmittedRecordsEveryPartAndTheMarkBeforeTheAck) {
  std::vector<redis::Command> cmds = SubmittedCommands(Message(), "op1", {"A1", "A2"}, {"a1", "a2"}, 3600, 42);
  ASSERT_EQ(cmds.size(), 7u);
  EXPECT_EQ(cmds[0][0], "SET");
  EXPECT_EQ(cmds[0][1], "dlr:op1:a1");  // the canonical spelling
  EXPECT_EQ(cmds[0][2], "7:0190d6c5-0000-7000-8000-000000000001:2");
  EXPECT_EQ(cmds[1][1], "dlr:op1:a2");
  EXPECT_EQ(cmds[2][0], "XADD");
  v1::StatusEvent ev;
  ASSERT_TRUE(ev.ParseFromString(cmds[2][4]));
  EXPECT_EQ(ev.status(), v1::STATUS_SUBMITTED);
  EXPECT_EQ(ev.operator_message_id(), "A1,A2");  // as the SMSC wrote them
  EXPECT_EQ(ev.at_ms(), 42);
  // Review C3: the mark is written after the record and before the ack, and goes after it.
  EXPECT_EQ(cmds[3], (redis::Command{"SET", "sent:0190d6c5-0000-7000-8000-000000000001", "1", "EX", "86400"}));
  EXPECT_EQ(cmds[4][0], "XACK");
  EXPECT_EQ(cmds[5][0], "XDEL");
  EXPECT_EQ(cmds[6], (redis::Command{"DEL", "sent:0190d6c5-0000-7000-8000-000000000001"}));
  EXPECT_EQ(AlreadySubmittedCommands(Message()),
            (std::vector<redis::Command>{{"XACK", keys::AccountQueue(7), "sched", "1700000000000-0"},
                                         {"XDEL", keys::AccountQueue(7), "1700000000000-0"},
                                         {"DEL", "sent:0190d6c5-0000-7000-8000-000000000001"}}));
}

// Review F9: a part accepted without an id gets no receipt key (all such parts would share
// "dlr:op1:"); the message is still recorded as submitted.
TEST(OutcomesTest, APartAcceptedWithoutAnIdGetsNoReceiptKey) {
  std::vector<redis::Command> cmds = SubmittedCommands(Message(), "op1", {"", "b"}, {"", "b"}, 3600, 42);
  for (const redis::Command& c : cmds) EXPECT_NE(c[1], "dlr:op1:");
  ASSERT_EQ(cmds[0][1], "dlr:op1:b");
  v1::StatusEvent ev;
  ASSERT_TRUE(ev.ParseFromString(cmds[1][4]));
  EXPECT_EQ(ev.status(), v1::STATUS_SUBMITTED);
  EXPECT_EQ(ev.operator_message_id(), ",b");
}

TEST(OutcomesTest, RetryKeepsTheStreamAndCountsTheAttempt) {
  QueuedMessage m = Message();
  v1::Envelope back = m.envelope;
  back.add_part_ids("x1");
  back.add_part_ids("");
  back.set_part_operator("op1");
  std::vector<redis::Command> cmds = RetryCommands(m, back, 3, 9000);
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
  ASSERT_EQ(e.part_ids_size(), 2);  // what the operator took stays taken (review m19)
  EXPECT_EQ(e.part_ids(0), "x1");
  EXPECT_EQ(e.part_operator(), "op1");
}

TEST(OutcomesTest, DeadLetterWritesReasonAndFailedEvent) {
  std::vector<redis::Command> cmds = DeadLetterCommands(Message(), "op1: ESME_RSUBMITFAIL", 5, 2000);
  ASSERT_EQ(cmds.size(), 4u);
  EXPECT_EQ(cmds[0][1], keys::kDeadLetters);
  // Bounded (review M13): trimmed to about dlq_max_len.
  EXPECT_EQ(cmds[0][2], "MAXLEN");
  EXPECT_EQ(cmds[0][3], "~");
  EXPECT_EQ(cmds[0][4], "2000");
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
