#include "sched/valid_utf8.h"

#include <gtest/gtest.h>

#include "proto/smsgw.pb.h"
#include "sched/outcomes.h"
#include "sms/utf8.h"

namespace smsgw::sched {
namespace {

TEST(ValidUtf8Test, ValidTextIsKept) {
  EXPECT_EQ(ValidUtf8(""), "");
  EXPECT_EQ(ValidUtf8("1a2B3c"), "1a2B3c");
  EXPECT_EQ(ValidUtf8("stat:UNDELIV err:00\xC3\xA9"), "stat:UNDELIV err:00\xC3\xA9");  // é
  EXPECT_EQ(ValidUtf8(std::string("a\0b", 3)), std::string("a\0b", 3));  // NUL is valid UTF-8
}

TEST(ValidUtf8Test, InvalidBytesAreHexEscapedOneByOne) {
  EXPECT_EQ(ValidUtf8("\xFF"), "\\xFF");
  EXPECT_EQ(ValidUtf8("id\x80\x81z"), "id\\x80\\x81z");         // stray continuation bytes
  EXPECT_EQ(ValidUtf8("\xC3"), "\\xC3");                        // truncated sequence at the end
  EXPECT_EQ(ValidUtf8("\xC3(\xC3\xA9"), "\\xC3(\xC3\xA9");      // truncated, then a good one
  EXPECT_EQ(ValidUtf8("\xC0\xAF"), "\\xC0\\xAF");               // overlong '/'
  EXPECT_EQ(ValidUtf8("\xED\xA0\x80"), "\\xED\\xA0\\x80");      // a UTF-16 surrogate
  EXPECT_EQ(ValidUtf8("\x0b\xad\xf0\x0d"), "\x0b\\xAD\\xF0\x0d");  // a binary id
}

TEST(ValidUtf8Test, AlwaysValidAndStableForTheSameBytes) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  const std::string once = ValidUtf8(all);
  EXPECT_FALSE(sms::FindInvalidUtf8(once).has_value());
  EXPECT_EQ(ValidUtf8(all), once);
  EXPECT_EQ(ValidUtf8(once), once);  // escaping what is already valid changes nothing
}

// The fault found against a hostile SMSC: a submit_sm_resp id that is not UTF-8 made the
// submitted event unreadable for smsgw-report, which dropped it.
TEST(ValidUtf8Test, SubmittedEventWithABinaryOperatorIdStaysReadable) {
  QueuedMessage m;
  m.stream = "q:express";
  m.entry_id = "1-0";
  m.envelope.set_id("0190d6c5-0000-7000-8000-000000000001");
  m.envelope.set_account_id(7);
  const std::string binary_id("\x9f\x00\xff", 3);
  std::vector<redis::Command> cmds = SubmittedCommands(m, "op1", {binary_id}, {binary_id}, 60, 1);
  ASSERT_EQ(cmds.size(), 6u);
  EXPECT_EQ(cmds[0][1], std::string("dlr:op1:\\x9F\0\\xFF", 17));
  v1::StatusEvent ev;
  ASSERT_TRUE(ev.ParseFromString(cmds[1][4]));
  EXPECT_EQ(ev.operator_message_id(), std::string("\\x9F\0\\xFF", 9));
}

TEST(ValidUtf8Test, EventErrorFromTheSmscStaysReadable) {
  v1::StatusEvent ev;
  ev.set_message_id("m");
  ev.set_status(v1::STATUS_UNDELIVERED);
  ev.set_error("stat:UND\xE9LIV err:\xFF");  // Latin-1 bytes
  ev.set_operator_message_id("\xC3");
  redis::Command cmd = EventCommand(ev);
  v1::StatusEvent back;
  ASSERT_TRUE(back.ParseFromString(cmd[4]));
  EXPECT_EQ(back.error(), "stat:UND\\xE9LIV err:\\xFF");
  EXPECT_EQ(back.operator_message_id(), "\\xC3");
}

}  // namespace
}  // namespace smsgw::sched
