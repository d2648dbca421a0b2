#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace smsgw::sms {

// The data coding of a message: the GSM 03.38 default alphabet (SMPP data_coding 0x00) when
// every character has a GSM-7 form, else UCS-2 (data_coding 0x08, sent as UTF-16BE so
// characters outside the BMP travel as surrogate pairs).
enum class Encoding { kGsm7, kUcs2 };

// "gsm7" or "ucs2": the spelling used in the API, the database and logs.
std::string_view EncodingName(Encoding encoding);

// Units a single-part message may hold, and a part of a concatenated one (the rest of the
// 140 octets goes to the 6-octet concatenation UDH).
inline constexpr int kGsm7SingleSeptets = 160;
inline constexpr int kGsm7PartSeptets = 153;
inline constexpr int kUcs2SingleUnits = 70;
inline constexpr int kUcs2PartUnits = 67;

// The concatenation UDH with 8-bit reference numbers counts parts in one octet.
inline constexpr int kMaxSegments = 255;

struct TextInfo {
  Encoding encoding;
  int units;     // GSM-7: septets, an extension character counting 2; UCS-2: UTF-16 code units
  int segments;  // SMS parts needed, equal to EncodeParts(text, encoding)->size()
};

// Validates a message text and sizes it. Picks GSM-7 if every character fits, else UCS-2.
// Errors (all InvalidArgument, messages prefixed "text: "): malformed UTF-8 (naming the
// 0-based byte offset), empty text, more than kMaxSegments segments.
// Segments are counted with the same splitting rule EncodeParts uses, so the two agree: a text
// of at most the single limit (160 septets / 70 units) is one part; a longer one is cut into
// parts of at most 153 septets / 67 units without splitting an escape or surrogate pair.
Result<TextInfo> Analyze(std::string_view utf8);

// The short_message payload of each part, in order: GSM-7 unpacked (one septet per octet, an
// extension character as 0x1B then its code) or UTF-16 big-endian. No UDH is included; the
// SMPP layer adds it (or uses sar_* / message_payload) when there is more than one part.
// Errors (InvalidArgument): those of Analyze, and GSM-7 requested for a text with a character
// outside the GSM 03.38 alphabet. UCS-2 may be requested for any text.
Result<std::vector<std::string>> EncodeParts(std::string_view utf8, Encoding encoding);

}  // namespace smsgw::sms
