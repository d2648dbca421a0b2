#include "smpp/udh.h"

#include <gtest/gtest.h>

namespace smsgw::smpp {
namespace {

TEST(SmppUdh, PrefixesTheConcatenationHeader) {
  EXPECT_EQ(WithConcatUdh("abc", 0x2A, 3, 2), std::string("\x05\x00\x03\x2A\x03\x02" "abc", 9));
}

TEST(SmppUdh, NumbersPartsFromOne) {
  auto parts = AddConcatUdh({"first", "second", "third"}, 0xFF);
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const std::string& p = (*parts)[i];
    ASSERT_GE(p.size(), kConcatUdhSize);
    EXPECT_EQ(p.substr(0, 3), std::string("\x05\x00\x03", 3));
    EXPECT_EQ(static_cast<uint8_t>(p[3]), 0xFF);
    EXPECT_EQ(p[4], 3);
    EXPECT_EQ(p[5], static_cast<char>(i + 1));
  }
  EXPECT_EQ((*parts)[1].substr(kConcatUdhSize), "second");
}

TEST(SmppUdh, RejectsNoPartsOrTooMany) {
  EXPECT_FALSE(AddConcatUdh({}, 1).ok());
  EXPECT_FALSE(AddConcatUdh(std::vector<std::string>(256, "x"), 1).ok());
  EXPECT_TRUE(AddConcatUdh(std::vector<std::string>(255, "x"), 1).ok());
}

}  // namespace
}  // namespace smsgw::smpp
