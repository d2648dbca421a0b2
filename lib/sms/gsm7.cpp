#include "sms/gsm7.h"

#include <array>
#include <unordered_map>
#include <utility>

namespace smsgw::sms {

namespace {

constexpr char32_t kNone = 0xFFFF;  // the escape septet: no character of its own

// 3GPP TS 23.038 section 6.2.1, the GSM 7-bit default alphabet, indexed by septet.
constexpr std::array<char32_t, 128> kBasic = {
    // 0x00
    U'@', U'£', U'$', U'¥', U'è', U'é', U'ù', U'ì',
    U'ò', U'Ç', U'\n', U'Ø', U'ø', U'\r', U'Å', U'å',
    // 0x10
    U'Δ', U'_', U'Φ', U'Γ', U'Λ', U'Ω', U'Π', U'Ψ',
    U'Σ', U'Θ', U'Ξ', kNone, U'Æ', U'æ', U'ß', U'É',
    // 0x20
    U' ', U'!', U'"', U'#', U'¤', U'%', U'&', U'\'',
    U'(', U')', U'*', U'+', U',', U'-', U'.', U'/',
    // 0x30
    U'0', U'1', U'2', U'3', U'4', U'5', U'6', U'7',
    U'8', U'9', U':', U';', U'<', U'=', U'>', U'?',
    // 0x40
    U'¡', U'A', U'B', U'C', U'D', U'E', U'F', U'G',
    U'H', U'I', U'J', U'K', U'L', U'M', U'N', U'O',
    // 0x50
    U'P', U'Q', U'R', U'S', U'T', U'U', U'V', U'W',
    U'X', U'Y', U'Z', U'Ä', U'Ö', U'Ñ', U'Ü', U'§',
    // 0x60
    U'¿', U'a', U'b', U'c', U'd', U'e', U'f', U'g',
    U'h', U'i', U'j', U'k', U'l', U'm', U'n', U'o',
    // 0x70
    U'p', U'q', U'r', U's', U't', U'u', U'v', U'w',
    U'x', U'y', U'z', U'ä', U'ö', U'ñ', U'ü', U'à',
};

// 3GPP TS 23.038 section 6.2.1.1, the default extension table: {septet after ESC, character}.
constexpr std::array<std::pair<uint8_t, char32_t>, 10> kExtension = {{
    {0x0A, U'\f'},
    {0x14, U'^'},
    {0x28, U'{'},
    {0x29, U'}'},
    {0x2F, U'\\'},
    {0x3C, U'['},
    {0x3D, U'~'},
    {0x3E, U']'},
    {0x40, U'|'},
    {0x65, U'€'},
}};

using ReverseMap = std::unordered_map<char32_t, Gsm7Char>;

ReverseMap BuildReverseMap() {
  ReverseMap map;
  for (size_t code = 0; code < kBasic.size(); ++code) {
    if (kBasic[code] == kNone) continue;
    map.emplace(kBasic[code], Gsm7Char{static_cast<uint8_t>(code), false});
  }
  for (const auto& [code, cp] : kExtension) map.emplace(cp, Gsm7Char{code, true});
  return map;
}

}  // namespace

std::optional<Gsm7Char> LookupGsm7(char32_t cp) {
  static const ReverseMap kMap = BuildReverseMap();  // built once; read-only afterwards
  const auto it = kMap.find(cp);
  if (it == kMap.end()) return std::nullopt;
  return it->second;
}

char32_t Gsm7BasicToUnicode(uint8_t code) { return code < kBasic.size() ? kBasic[code] : kNone; }

}  // namespace smsgw::sms
