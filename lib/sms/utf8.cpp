#include "sms/utf8.h"

#include <cstdint>

namespace smsgw::sms {

namespace {

bool IsContinuation(uint8_t b) { return (b & 0xC0) == 0x80; }

}  // namespace

char32_t DecodeUtf8(std::string_view text, size_t* pos) {
  const size_t start = *pos;
  const size_t left = text.size() - start;
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[start + i]); };
  const uint8_t b0 = byte(0);

  if (b0 < 0x80) {
    *pos = start + 1;
    return b0;
  }
  // The lead byte fixes the length and the allowed range of the second byte; narrowing that
  // range is what rules out overlongs (E0, F0), surrogates (ED) and values past U+10FFFF (F4).
  size_t len = 0;
  uint8_t lo = 0x80, hi = 0xBF;
  char32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return kInvalidCodePoint;  // a continuation byte, C0/C1 (always overlong) or F5..FF
  }
  if (left < len) return kInvalidCodePoint;
  const uint8_t b1 = byte(1);
  if (b1 < lo || b1 > hi) return kInvalidCodePoint;
  cp = (cp << 6) | (b1 & 0x3F);
  for (size_t i = 2; i < len; ++i) {
    const uint8_t b = byte(i);
    if (!IsContinuation(b)) return kInvalidCodePoint;
    cp = (cp << 6) | (b & 0x3F);
  }
  *pos = start + len;
  return cp;
}

std::optional<size_t> FindInvalidUtf8(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    if (DecodeUtf8(text, &pos) == kInvalidCodePoint) return pos;
  }
  return std::nullopt;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace smsgw::sms
