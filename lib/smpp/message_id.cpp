#include "smpp/message_id.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace smsgw::smpp {
namespace {

bool AllOf(std::string_view s, int (*pred)(int)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [pred](char c) { return pred(static_cast<unsigned char>(c)) != 0; });
}

std::string StripZeros(std::string s) {
  const size_t first = s.find_first_not_of('0');
  if (first == std::string::npos) return s.empty() ? s : "0";
  return s.substr(first);
}

// Hexadecimal digits to decimal digits, any length (ids may exceed 64 bits).
std::string HexToDecimal(std::string_view hex) {
  std::vector<int> dec{0};  // little-endian decimal digits
  for (char c : hex) {
    int carry = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    for (int& d : dec) {
      const int v = d * 16 + carry;
      d = v % 10;
      carry = v / 10;
    }
    while (carry > 0) {
      dec.push_back(carry % 10);
      carry /= 10;
    }
  }
  std::string out;
  for (auto it = dec.rbegin(); it != dec.rend(); ++it) out.push_back(static_cast<char>('0' + *it));
  return StripZeros(out);
}

}  // namespace

IdFormat IdFormatFromName(std::string_view name) {
  if (name == "hex") return IdFormat::kHex;
  if (name == "decimal") return IdFormat::kDecimal;
  return IdFormat::kText;
}

std::string CanonicalMessageId(std::string_view id, IdFormat format) {
  if (id.empty()) return "";
  if (format == IdFormat::kHex && AllOf(id, isxdigit)) return HexToDecimal(id);
  if (format == IdFormat::kDecimal && AllOf(id, isdigit)) return StripZeros(std::string(id));
  std::string text(id);
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return StripZeros(std::move(text));
}

}  // namespace smsgw::smpp
