#include "sched/valid_utf8.h"

#include "sms/utf8.h"

namespace smsgw::sched {

std::string ValidUtf8(std::string_view bytes) {
  // Nearly always valid: answer with a plain copy after one scan.
  if (!sms::FindInvalidUtf8(bytes)) return std::string(bytes);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() + 16);
  size_t pos = 0;
  while (pos < bytes.size()) {
    const size_t start = pos;
    if (sms::DecodeUtf8(bytes, &pos) != sms::kInvalidCodePoint) {
      out.append(bytes.substr(start, pos - start));
      continue;
    }
    const auto b = static_cast<unsigned char>(bytes[pos]);
    out += "\\x";
    out += kHex[b >> 4];
    out += kHex[b & 0x0F];
    ++pos;
  }
  return out;
}

}  // namespace smsgw::sched
