#pragma once

#include <cstdint>
#include <optional>

namespace smsgw::sms {

// The escape septet that selects the extension table for the septet after it.
inline constexpr uint8_t kGsm7Escape = 0x1B;

// How one Unicode character is written in the GSM 03.38 default alphabet (3GPP TS 23.038 6.2.1):
// `code` is its septet in the basic table, or in the extension table when `extended`, in which
// case it is sent as kGsm7Escape followed by `code` and costs two septets.
struct Gsm7Char {
  uint8_t code;
  bool extended;
  int septets() const { return extended ? 2 : 1; }
};

// The GSM-7 encoding of `cp`, or nullopt if the default alphabet (with its extension table) has
// no such character. Exact matches only: no look-alike folding (e.g. 'ç' or Greek 'Α' are not
// GSM-7), so what is sent is what was asked. Thread-safe.
std::optional<Gsm7Char> LookupGsm7(char32_t cp);

// The Unicode character for a basic-table septet; kGsm7Escape and codes above 127 give U+FFFF.
char32_t Gsm7BasicToUnicode(uint8_t code);

}  // namespace smsgw::sms
