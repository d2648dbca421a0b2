#include "sms/gsm7.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace smsgw::sms {
namespace {

void ExpectBasic(char32_t cp, uint8_t code) {
  const auto gsm = LookupGsm7(cp);
  ASSERT_TRUE(gsm.has_value()) << "U+" << std::hex << static_cast<uint32_t>(cp);
  EXPECT_EQ(gsm->code, code) << "U+" << std::hex << static_cast<uint32_t>(cp);
  EXPECT_FALSE(gsm->extended);
  EXPECT_EQ(gsm->septets(), 1);
}

TEST(Gsm7Test, BasicTableSpecialPositions) {
  const std::vector<std::pair<char32_t, uint8_t>> table = {
      {U'@', 0x00}, {U'£', 0x01}, {U'$', 0x02}, {U'¥', 0x03}, {U'è', 0x04}, {U'é', 0x05},
      {U'ù', 0x06}, {U'ì', 0x07}, {U'ò', 0x08}, {U'Ç', 0x09}, {U'\n', 0x0A}, {U'Ø', 0x0B},
      {U'ø', 0x0C}, {U'\r', 0x0D}, {U'Å', 0x0E}, {U'å', 0x0F}, {U'Δ', 0x10}, {U'_', 0x11},
      {U'Φ', 0x12}, {U'Γ', 0x13}, {U'Λ', 0x14}, {U'Ω', 0x15}, {U'Π', 0x16}, {U'Ψ', 0x17},
      {U'Σ', 0x18}, {U'Θ', 0x19}, {U'Ξ', 0x1A}, {U'Æ', 0x1C}, {U'æ', 0x1D}, {U'ß', 0x1E},
      {U'É', 0x1F}, {U' ', 0x20}, {U'!', 0x21}, {U'"', 0x22}, {U'#', 0x23}, {U'¤', 0x24},
      {U'%', 0x25}, {U'&', 0x26}, {U'\'', 0x27}, {U'/', 0x2F}, {U'0', 0x30}, {U'9', 0x39},
      {U'?', 0x3F}, {U'¡', 0x40}, {U'A', 0x41}, {U'Z', 0x5A}, {U'Ä', 0x5B}, {U'Ö', 0x5C},
      {U'Ñ', 0x5D}, {U'Ü', 0x5E}, {U'§', 0x5F}, {U'¿', 0x60}, {U'a', 0x61}, {U'z', 0x7A},
      {U'ä', 0x7B}, {U'ö', 0x7C}, {U'ñ', 0x7D}, {U'ü', 0x7E}, {U'à', 0x7F},
  };
  for (const auto& [cp, code] : table) ExpectBasic(cp, code);
}

TEST(Gsm7Test, AsciiLettersAndDigitsKeepTheirCodes) {
  for (char32_t c = U'A'; c <= U'Z'; ++c) ExpectBasic(c, static_cast<uint8_t>(c));
  for (char32_t c = U'a'; c <= U'z'; ++c) ExpectBasic(c, static_cast<uint8_t>(c));
  for (char32_t c = U'0'; c <= U'9'; ++c) ExpectBasic(c, static_cast<uint8_t>(c));
}

TEST(Gsm7Test, ExtensionTable) {
  const std::vector<std::pair<char32_t, uint8_t>> table = {
      {U'\f', 0x0A}, {U'^', 0x14}, {U'{', 0x28}, {U'}', 0x29}, {U'\\', 0x2F},
      {U'[', 0x3C},  {U'~', 0x3D}, {U']', 0x3E}, {U'|', 0x40}, {U'€', 0x65},
  };
  for (const auto& [cp, code] : table) {
    const auto gsm = LookupGsm7(cp);
    ASSERT_TRUE(gsm.has_value()) << "U+" << std::hex << static_cast<uint32_t>(cp);
    EXPECT_EQ(gsm->code, code);
    EXPECT_TRUE(gsm->extended);
    EXPECT_EQ(gsm->septets(), 2);
  }
}

TEST(Gsm7Test, CharactersOutsideTheAlphabet) {
  for (char32_t cp : {U'`', U'ç', U'\t', char32_t{0x1B}, char32_t{0}, char32_t{0x391} /* Α */,
                      U'á', U'س', U'ۀ', char32_t{0x1F600}, U'’', U'“'}) {
    EXPECT_FALSE(LookupGsm7(cp).has_value()) << "U+" << std::hex << static_cast<uint32_t>(cp);
  }
}

TEST(Gsm7Test, BasicTableRoundTrips) {
  for (int code = 0; code < 128; ++code) {
    if (code == kGsm7Escape) {
      EXPECT_EQ(Gsm7BasicToUnicode(kGsm7Escape), char32_t{0xFFFF});
      continue;
    }
    ExpectBasic(Gsm7BasicToUnicode(static_cast<uint8_t>(code)), static_cast<uint8_t>(code));
  }
  EXPECT_EQ(Gsm7BasicToUnicode(200), char32_t{0xFFFF});
}

}  // namespace
}  // namespace smsgw::sms
