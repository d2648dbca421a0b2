#include "cursor.h"

#include <openssl/evp.h>

#include <cstdio>

#include "sms/uuid7.h"

namespace smsgw::report {
namespace {

constexpr size_t kIdBytes = 16;
constexpr size_t kCursorChars = 22;  // 16 bytes in base64 without the two '=' of padding

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string EncodeCursor(std::string_view message_id) {
  unsigned char bytes[kIdBytes] = {};
  size_t n = 0;
  for (size_t i = 0; i + 1 < message_id.size() && n < kIdBytes; ++i) {
    if (message_id[i] == '-') continue;
    bytes[n++] = static_cast<unsigned char>(HexValue(message_id[i]) << 4 | HexValue(message_id[i + 1]));
    ++i;
  }
  unsigned char out[32] = {};
  const int len = EVP_EncodeBlock(out, bytes, kIdBytes);
  std::string text(reinterpret_cast<const char*>(out), static_cast<size_t>(len));
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  text.resize(kCursorChars);  // drop the "==" padding
  return text;
}

Result<std::string> DecodeCursor(std::string_view cursor) {
  const Status bad = Status::InvalidArgument("cursor: not a cursor this API returned");
  if (cursor.size() != kCursorChars) return bad;
  std::string text(cursor);
  for (char& c : text) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (c == '-') {
      c = '+';
    } else if (c == '_') {
      c = '/';
    } else if (!plain) {
      return bad;
    }
  }
  text += "==";
  unsigned char bytes[24] = {};
  if (EVP_DecodeBlock(bytes, reinterpret_cast<const unsigned char*>(text.data()),
                      static_cast<int>(text.size())) < static_cast<int>(kIdBytes)) {
    return bad;
  }
  char id[37];
  std::snprintf(id, sizeof id,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
                bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
                bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
  if (!sms::UuidV7TimeMs(id).ok()) return bad;
  // Only the canonical spelling: the last character carries 2 unused bits, which must be 0.
  if (EncodeCursor(id) != cursor) return bad;
  return std::string(id);
}

}  // namespace smsgw::report
