// The pure parts of "a receipt that never comes" (daemons/sched/receipt_waits.h): which
// submits wait for a receipt, the sorted set's members, and what the sweep writes.
#include "sched/receipt_waits.h"

#include <gtest/gtest.h>

#include "keys/keys.h"
#include "sched/outcomes.h"

namespace smsgw::sched {
namespace {

TEST(ReceiptWaitsTest, OnlySubmitsThatAskForEveryFinalReceiptWait) {
  EXPECT_TRUE(AsksForFinalReceipt(1));
  EXPECT_TRUE(AsksForFinalReceipt(0x11));  // with intermediate notifications too
  EXPECT_FALSE(AsksForFinalReceipt(0));    // none asked
  EXPECT_FALSE(AsksForFinalReceipt(2));    // failures only: a delivered message is never told
  EXPECT_FALSE(AsksForFinalReceipt(3));    // reserved
}

TEST(ReceiptWaitsTest, MembersNameTheAccountAndTheMessage) {
  EXPECT_EQ(WaitingMember(7, "0190d6c5-0000-7000-8000-000000000001"), "7:0190d6c5-0000-7000-8000-000000000001");
  std::optional<WaitingMessage> m = ParseWaitingMember("7:0190d6c5-0000-7000-8000-000000000001");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->account_id, 7);
  EXPECT_EQ(m->message_id, "0190d6c5-0000-7000-8000-000000000001");
  for (const char* bad : {"", ":", "7:", ":m", "x7:m", "-7:m", "0:m", "99999999999999999999:m", "7"}) {
    EXPECT_FALSE(ParseWaitingMember(bad).has_value()) << bad;
  }
}

TEST(ReceiptWaitsTest, TheSweepWritesAnExpiredEventThenTheRemoval) {
  std::vector<redis::Command> cmds = NoReceiptCommands("7:msg-1", 172800, 5000);
  ASSERT_EQ(cmds.size(), 2u);
  EXPECT_EQ(cmds[0][0], "XADD");
  EXPECT_EQ(cmds[0][1], keys::kReportEvents);
  v1::StatusEvent ev;
  ASSERT_TRUE(ev.ParseFromString(cmds[0][4]));
  EXPECT_EQ(ev.status(), v1::STATUS_EXPIRED);
  EXPECT_EQ(ev.account_id(), 7);
  EXPECT_EQ(ev.message_id(), "msg-1");
  EXPECT_EQ(ev.at_ms(), 5000);
  EXPECT_EQ(ev.error(), "no delivery receipt within 172800 s");
  EXPECT_EQ(cmds[1], (redis::Command{"ZREM", "dlr:waiting", "7:msg-1"}));
  // A member nobody could have written is only removed, never turned into an event.
  EXPECT_EQ(NoReceiptCommands("junk", 10, 1), (std::vector<redis::Command>{{"ZREM", "dlr:waiting", "junk"}}));
  EXPECT_EQ(DueWaitsCommand(5000, 100),
            (redis::Command{"ZRANGEBYSCORE", "dlr:waiting", "-inf", "5000", "LIMIT", "0", "100"}));
}

TEST(ReceiptWaitsTest, ASubmitThatAwaitsAReceiptIsAddedBeforeItsEvent) {
  QueuedMessage m;
  m.stream = keys::AccountQueue(7);
  m.entry_id = "1-0";
  m.envelope.set_id("msg-1");
  m.envelope.set_account_id(7);
  std::vector<redis::Command> cmds = SubmittedCommands(m, "op1", {""}, {""}, 3600, 42, 42 + 3600000);
  ASSERT_GE(cmds.size(), 2u);
  // The empty id gets no receipt key (review F9), but the message still waits, so it ends.
  EXPECT_EQ(cmds[0], (redis::Command{"ZADD", "dlr:waiting", "3600042", "7:msg-1"}));
  EXPECT_EQ(cmds[1][0], "XADD");
  // Without a due time (no receipt asked for) nothing waits.
  for (const redis::Command& c : SubmittedCommands(m, "op1", {"a"}, {"a"}, 3600, 42)) EXPECT_NE(c[0], "ZADD");
}

}  // namespace
}  // namespace smsgw::sched
