#include "sms/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace smsgw::sms {
namespace {

char32_t DecodeOne(std::string_view text) {
  size_t pos = 0;
  const char32_t cp = DecodeUtf8(text, &pos);
  if (cp != kInvalidCodePoint) {
    EXPECT_EQ(pos, text.size());
  }
  return cp;
}

TEST(Utf8Test, DecodesEachLength) {
  EXPECT_EQ(DecodeOne("A"), U'A');
  EXPECT_EQ(DecodeOne("\xC2\xA3"), U'£');
  EXPECT_EQ(DecodeOne("\xD8\xB3"), U'س');
  EXPECT_EQ(DecodeOne("\xE2\x82\xAC"), U'€');
  EXPECT_EQ(DecodeOne("\xF0\x9F\x98\x80"), char32_t{0x1F600});
  EXPECT_EQ(DecodeOne(std::string("\0", 1)), char32_t{0});
}

TEST(Utf8Test, AcceptsRangeEdges) {
  for (char32_t cp : {0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xD7FFu, 0xE000u, 0xFFFDu, 0xFFFFu, 0x10000u,
                      0x10FFFFu}) {
    std::string s;
    AppendUtf8(cp, &s);
    EXPECT_EQ(DecodeOne(s), cp) << std::hex << static_cast<uint32_t>(cp);
  }
}

TEST(Utf8Test, RejectsMalformed) {
  const char* bad[] = {
      "\x80",              // stray continuation
      "\xBF",              // stray continuation
      "\xC0\xAF",          // overlong '/'
      "\xC1\xBF",          // overlong
      "\xE0\x80\xAF",      // overlong 3-byte
      "\xE0\x9F\xBF",      // overlong 3-byte, top edge
      "\xF0\x8F\xBF\xBF",  // overlong 4-byte
      "\xED\xA0\x80",      // U+D800, a surrogate
      "\xED\xBF\xBF",      // U+DFFF, a surrogate
      "\xF4\x90\x80\x80",  // U+110000
      "\xF5\x80\x80\x80",  // lead byte past U+10FFFF
      "\xFF",
      "\xC3",              // truncated
      "\xE2\x82",          // truncated
      "\xF0\x9F\x98",      // truncated
      "\xE2\x28\xA1",      // bad continuation
  };
  for (const char* s : bad) {
    size_t pos = 0;
    EXPECT_EQ(DecodeUtf8(s, &pos), kInvalidCodePoint) << s;
    EXPECT_EQ(pos, 0u);
  }
}

TEST(Utf8Test, FindInvalidGivesTheOffset) {
  EXPECT_EQ(FindInvalidUtf8(""), std::nullopt);
  EXPECT_EQ(FindInvalidUtf8("سلام €"), std::nullopt);
  EXPECT_EQ(FindInvalidUtf8("Hello, \xFF"), 7u);
  EXPECT_EQ(FindInvalidUtf8("\xD8\xB3\xE2\x82"), 2u);
}

}  // namespace
}  // namespace smsgw::sms
