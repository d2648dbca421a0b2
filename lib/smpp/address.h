#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace smsgw::smpp {

// Type of number and numbering plan values (SMPP 3.4 section 5.2.5 and 5.2.6).
inline constexpr uint8_t kTonUnknown = 0;
inline constexpr uint8_t kTonInternational = 1;
inline constexpr uint8_t kTonNational = 2;
inline constexpr uint8_t kTonAlphanumeric = 5;
inline constexpr uint8_t kNpiUnknown = 0;
inline constexpr uint8_t kNpiIsdn = 1;

// An address as submit_sm carries it.
struct SmeAddress {
  uint8_t ton = kTonUnknown;
  uint8_t npi = kNpiUnknown;
  std::string addr;

  bool operator==(const SmeAddress&) const = default;
};

// The sender: "+4915..." -> TON 1 NPI 1 "4915..."; plain digits (a short code or a national
// number) -> TON 0 NPI 1 as given; anything else is an alphanumeric sender -> TON 5 NPI 0 as
// given. Fails with kInvalidArgument when empty, when "+" is not followed by digits only, or
// when longer than 20 octets (source_addr's limit).
Result<SmeAddress> SourceAddress(std::string_view source);

// The recipient: E.164 "+4915..." -> TON 1 NPI 1 "4915..."; plain digits -> TON 0 NPI 1.
// Fails with kInvalidArgument for anything that is not digits (after an optional "+"), empty or
// longer than 20 digits.
Result<SmeAddress> DestinationAddress(std::string_view dest);

}  // namespace smsgw::smpp
