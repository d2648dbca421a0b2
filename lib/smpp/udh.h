#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace smsgw::smpp {

// The 8-bit-reference concatenation UDH (3GPP TS 23.040 9.2.3.24.1):
//   05 UDHL, 00 IEI "concatenated SM, 8-bit ref", 03 IEDL, ref, total, index (1-based).
// A short_message carrying it needs esm_class |= kEsmClassUdhi. The caller splits the text so
// that each part plus these 6 octets fits (153 GSM-7 septets or 134 octets of UCS-2).
inline constexpr size_t kConcatUdhSize = 6;

inline std::string WithConcatUdh(std::string_view part, uint8_t ref, uint8_t total,
                                 uint8_t index) {
  std::string out;
  out.reserve(kConcatUdhSize + part.size());
  out.push_back(0x05);
  out.push_back(0x00);
  out.push_back(0x03);
  out.push_back(static_cast<char>(ref));
  out.push_back(static_cast<char>(total));
  out.push_back(static_cast<char>(index));
  out.append(part);
  return out;
}

// short_message octets for every part of one long message, in order. Fails with
// kInvalidArgument for no parts or more than 255 (the UDH counts in one octet).
inline Result<std::vector<std::string>> AddConcatUdh(const std::vector<std::string>& parts,
                                                     uint8_t ref) {
  if (parts.empty() || parts.size() > 255) {
    return Status::InvalidArgument("concatenation: " + std::to_string(parts.size()) +
                                   " parts, need 1 to 255");
  }
  std::vector<std::string> out;
  out.reserve(parts.size());
  const auto total = static_cast<uint8_t>(parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    out.push_back(WithConcatUdh(parts[i], ref, total, static_cast<uint8_t>(i + 1)));
  }
  return out;
}

}  // namespace smsgw::smpp
