#include "sched/valid_utf8.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace smsgw::sched
