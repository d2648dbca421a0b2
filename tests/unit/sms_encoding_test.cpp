#include "sms/encoding.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace smsgw::sms {
namespace {

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

const std::string kEuro = "\xE2\x82\xAC";      // U+20AC, GSM-7 extension: 2 septets
const std::string kSeen = "\xD8\xB3";          // U+0633 'س'
const std::string kEmoji = "\xF0\x9F\x98\x80";  // U+1F600: a surrogate pair in UTF-16

TextInfo MustAnalyze(std::string_view text) {
  auto info = Analyze(text);
  EXPECT_TRUE(info.ok()) << info.status().ToString();
  return info.ok() ? *info : TextInfo{Encoding::kGsm7, -1, -1};
}

std::vector<std::string> MustEncode(std::string_view text, Encoding encoding) {
  auto parts = EncodeParts(text, encoding);
  EXPECT_TRUE(parts.ok()) << parts.status().ToString();
  return parts.ok() ? *parts : std::vector<std::string>{};
}

TEST(EncodingTest, Names) {
  EXPECT_EQ(EncodingName(Encoding::kGsm7), "gsm7");
  EXPECT_EQ(EncodingName(Encoding::kUcs2), "ucs2");
}

TEST(EncodingTest, PicksGsm7WhenEveryCharacterFits) {
  const TextInfo info = MustAnalyze("Hello @ £5, Ça va? Δ€");
  EXPECT_EQ(info.encoding, Encoding::kGsm7);
  EXPECT_EQ(info.units, 22);  // 21 characters, '€' counting 2
  EXPECT_EQ(info.segments, 1);
}

TEST(EncodingTest, PicksUcs2ForOtherCharacters) {
  const TextInfo persian = MustAnalyze("سلام");
  EXPECT_EQ(persian.encoding, Encoding::kUcs2);
  EXPECT_EQ(persian.units, 4);
  EXPECT_EQ(persian.segments, 1);

  EXPECT_EQ(MustAnalyze("price `5`").encoding, Encoding::kUcs2);  // backtick is not GSM-7
  EXPECT_EQ(MustAnalyze("garçon").encoding, Encoding::kUcs2);     // only capital Ç is
  const TextInfo mixed = MustAnalyze("Hi سلام");
  EXPECT_EQ(mixed.encoding, Encoding::kUcs2);
  EXPECT_EQ(mixed.units, 7);  // in UCS-2 every BMP character is one unit, ASCII included
}

TEST(EncodingTest, Gsm7SegmentBoundaries) {
  const std::vector<std::pair<int, int>> cases = {
      {1, 1}, {160, 1}, {161, 2}, {306, 2}, {307, 3}, {459, 3}, {460, 4}};
  for (const auto& [chars, segments] : cases) {
    const TextInfo info = MustAnalyze(std::string(chars, 'a'));
    EXPECT_EQ(info.encoding, Encoding::kGsm7);
    EXPECT_EQ(info.units, chars);
    EXPECT_EQ(info.segments, segments) << chars << " chars";
  }
}

TEST(EncodingTest, Ucs2SegmentBoundaries) {
  const std::vector<std::pair<int, int>> cases = {{70, 1}, {71, 2}, {134, 2}, {135, 3}, {201, 3},
                                                  {202, 4}};
  for (const auto& [chars, segments] : cases) {
    const TextInfo info = MustAnalyze(Repeat(kSeen, chars));
    EXPECT_EQ(info.encoding, Encoding::kUcs2);
    EXPECT_EQ(info.units, chars);
    EXPECT_EQ(info.segments, segments) << chars << " chars";
  }
}

TEST(EncodingTest, ExtensionCharactersCountTwoSeptets) {
  const TextInfo eighty = MustAnalyze(Repeat(kEuro, 80));
  EXPECT_EQ(eighty.encoding, Encoding::kGsm7);
  EXPECT_EQ(eighty.units, 160);
  EXPECT_EQ(eighty.segments, 1);

  const TextInfo eighty_one = MustAnalyze(Repeat(kEuro, 81));
  EXPECT_EQ(eighty_one.units, 162);
  EXPECT_EQ(eighty_one.segments, 2);

  EXPECT_EQ(MustAnalyze("{[~]}|^\\\f").units, 18);
}

TEST(EncodingTest, EscapePairIsNeverSplit) {
  // 152 septets, then '€' would take septets 153 and 154: it moves whole to part two.
  const std::string text = std::string(152, 'a') + kEuro + "bcdefghijk";
  const TextInfo info = MustAnalyze(text);
  EXPECT_EQ(info.units, 164);
  EXPECT_EQ(info.segments, 2);
  const auto parts = MustEncode(text, Encoding::kGsm7);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0], std::string(152, 'a'));
  EXPECT_EQ(parts[1], "\x1b\x65"
                      "bcdefghijk");
}

TEST(EncodingTest, SplitRuleCanNeedMorePartsThanUnitsSuggest) {
  // 306 septets would fit two 153-septet parts, but the escape pair at 153..154 may not be cut.
  const std::string text = std::string(152, 'a') + kEuro + std::string(152, 'a');
  const TextInfo info = MustAnalyze(text);
  EXPECT_EQ(info.units, 306);
  EXPECT_EQ(info.segments, 3);
  const auto parts = MustEncode(text, Encoding::kGsm7);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].size(), 152u);
  EXPECT_EQ(parts[1].size(), 153u);
  EXPECT_EQ(parts[2].size(), 1u);
}

TEST(EncodingTest, EmojiForcesUcs2AndIsNeverSplit) {
  const TextInfo one = MustAnalyze("ok " + kEmoji);
  EXPECT_EQ(one.encoding, Encoding::kUcs2);
  EXPECT_EQ(one.units, 5);
  EXPECT_EQ(one.segments, 1);

  EXPECT_EQ(MustAnalyze(std::string(68, 'a') + kEmoji).segments, 1);  // exactly 70 units
  EXPECT_EQ(MustAnalyze(std::string(69, 'a') + kEmoji).segments, 2);  // 71 units

  // 66 units, then the pair would take units 67 and 68: it moves whole to part two.
  const std::string text = std::string(66, 'a') + kEmoji + "bcdef";
  const auto parts = MustEncode(text, Encoding::kUcs2);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].size(), 132u);
  EXPECT_EQ(parts[1], std::string("\xD8\x3D\xDE\x00\x00"
                                  "b\x00"
                                  "c\x00"
                                  "d\x00"
                                  "e\x00"
                                  "f",
                                  14));
  EXPECT_EQ(MustAnalyze(text).segments, 2);
}

TEST(EncodingTest, Gsm7Bytes) {
  EXPECT_EQ(MustEncode("@£$", Encoding::kGsm7),
            std::vector<std::string>{std::string("\x00\x01\x02", 3)});
  EXPECT_EQ(MustEncode(kEuro, Encoding::kGsm7), std::vector<std::string>{"\x1b\x65"});
  EXPECT_EQ(MustEncode("¿Ñ¡\n\f", Encoding::kGsm7),
            std::vector<std::string>{"\x60\x5d\x40\x0a\x1b\x0a"});
}

TEST(EncodingTest, Ucs2BytesAreBigEndian) {
  EXPECT_EQ(MustEncode(kSeen, Encoding::kUcs2), std::vector<std::string>{"\x06\x33"});
  EXPECT_EQ(MustEncode(kEmoji, Encoding::kUcs2),
            std::vector<std::string>{std::string("\xD8\x3D\xDE\x00", 4)});
  // UCS-2 may be asked for a GSM-7 text.
  EXPECT_EQ(MustEncode("Hi", Encoding::kUcs2),
            std::vector<std::string>{std::string("\0H\0i", 4)});
}

TEST(EncodingTest, Gsm7RefusedForNonGsmText) {
  auto parts = EncodeParts("Hi سلام", Encoding::kGsm7);
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parts.status().message(), "text: U+0633 is not in the GSM 03.38 alphabet");
}

TEST(EncodingTest, RejectsInvalidUtf8) {
  const std::vector<std::string> bad = {"Hello, \xFF",         "\xC0\xAF",     "ab\xED\xA0\x80",
                                        "\xF4\x90\x80\x80",   "tail\xE2\x82", "\x80"};
  for (const std::string& text : bad) {
    auto info = Analyze(text);
    ASSERT_FALSE(info.ok());
    EXPECT_EQ(info.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(EncodeParts(text, Encoding::kUcs2).status().code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(Analyze("Hello, \xFF!").status().message(), "text: not valid UTF-8 at byte 7");
  // Found even after a non-GSM character has settled the encoding.
  EXPECT_EQ(Analyze("سلام \xC3").status().message(), "text: not valid UTF-8 at byte 9");
}

TEST(EncodingTest, RejectsEmpty) {
  auto info = Analyze("");
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(info.status().message(), "text: must not be empty");
  EXPECT_FALSE(EncodeParts("", Encoding::kGsm7).ok());
}

TEST(EncodingTest, AtMost255Segments) {
  const std::string gsm_max(255 * kGsm7PartSeptets, 'a');
  EXPECT_EQ(MustAnalyze(gsm_max).segments, 255);
  EXPECT_EQ(MustEncode(gsm_max, Encoding::kGsm7).size(), 255u);

  auto too_long = Analyze(gsm_max + "a");
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(too_long.status().message(), "text: too long (256 segments, at most 255)");
  auto too_long_parts = EncodeParts(gsm_max + "a", Encoding::kGsm7);
  ASSERT_FALSE(too_long_parts.ok());
  EXPECT_EQ(too_long_parts.status().message(), too_long.status().message());

  const std::string ucs2_max = Repeat(kSeen, 255 * kUcs2PartUnits);
  EXPECT_EQ(MustAnalyze(ucs2_max).segments, 255);
  EXPECT_FALSE(Analyze(ucs2_max + kSeen).ok());
  EXPECT_FALSE(EncodeParts(ucs2_max + kSeen, Encoding::kUcs2).ok());
}

// Checks every invariant tying Analyze to EncodeParts for one text.
void ExpectConsistent(const std::string& text) {
  const TextInfo info = MustAnalyze(text);
  const auto parts = MustEncode(text, info.encoding);
  ASSERT_EQ(static_cast<int>(parts.size()), info.segments) << info.units << " units";
  const bool gsm = info.encoding == Encoding::kGsm7;
  const size_t bytes_per_unit = gsm ? 1 : 2;
  const size_t limit = (parts.size() == 1 ? (gsm ? kGsm7SingleSeptets : kUcs2SingleUnits)
                                          : (gsm ? kGsm7PartSeptets : kUcs2PartUnits)) *
                       bytes_per_unit;
  size_t total = 0;
  for (const std::string& part : parts) {
    EXPECT_FALSE(part.empty());
    EXPECT_LE(part.size(), limit);
    if (gsm) {
      EXPECT_NE(static_cast<uint8_t>(part.back()), 0x1B) << "escape pair split";
    } else {
      const auto last_hi = static_cast<uint8_t>(part[part.size() - 2]);
      EXPECT_FALSE(last_hi >= 0xD8 && last_hi <= 0xDB) << "surrogate pair split";
    }
    total += part.size();
  }
  EXPECT_EQ(total, static_cast<size_t>(info.units) * bytes_per_unit);
}

TEST(EncodingTest, SegmentsAgreeWithPartsNearBoundaries) {
  for (const std::string& wide : {kEuro, kEmoji}) {
    for (int before = 60; before <= 165; ++before) {
      for (int after : {0, 1, 2, 60, 70, 151, 152, 153, 154}) {
        ExpectConsistent(std::string(before, 'a') + wide + std::string(after, 'b'));
      }
    }
  }
}

TEST(EncodingTest, SegmentsAgreeWithPartsOnRandomTexts) {
  const std::vector<std::string> alphabet = {"a", "Z", " ", kEuro, "^", "\xC3\xA9" /* é */};
  const std::vector<std::string> non_gsm = {kSeen, kEmoji, "`"};
  std::mt19937 rng(20240601);
  for (int round = 0; round < 2000; ++round) {
    const int length = std::uniform_int_distribution<int>(1, 700)(rng);
    const bool mix_in_ucs2 = round % 2 == 1;
    std::string text;
    for (int i = 0; i < length; ++i) {
      if (mix_in_ucs2 && rng() % 8 == 0) {
        text += non_gsm[rng() % non_gsm.size()];
      } else {
        text += alphabet[rng() % alphabet.size()];
      }
    }
    ExpectConsistent(text);
  }
}

}  // namespace
}  // namespace smsgw::sms
