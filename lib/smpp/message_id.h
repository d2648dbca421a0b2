#pragma once

#include <string>
#include <string_view>

namespace smsgw::smpp {

// How an SMSC writes message ids in one place (submit_sm_resp, or the id: of receipt texts).
enum class IdFormat {
  kText,     // an opaque string
  kHex,      // a number in hexadecimal
  kDecimal,  // a number in decimal
};

// "text", "hex" or "decimal" (smsgw.toml's spelling); anything else is kText.
IdFormat IdFormatFromName(std::string_view name);

// One spelling for every way an SMSC may write the same id, so that a receipt matches the
// submit_sm_resp it refers to however each was written (review M1): a number (kHex or
// kDecimal) becomes its decimal digits without leading zeros, of any length; text is
// lower-cased with leading zeros dropped. An id that is not what `format` says (letters in a
// decimal id, say) is treated as text. Empty stays empty.
std::string CanonicalMessageId(std::string_view id, IdFormat format);

}  // namespace smsgw::smpp
