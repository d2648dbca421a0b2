#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace smsgw::sms {

// Parses a recipient number and returns it in E.164 ("+989121234567").
// `default_region` (ISO 3166-1 alpha-2, e.g. "IR", any case) says how to read a number written
// without '+': its national form ("09121234567") and its international prefix ("0098...") both
// work. The number must be valid per libphonenumber's metadata (right length and prefixes for
// its country); its type (mobile or fixed line) is not checked, because metadata often cannot
// tell (US numbers are "fixed line or mobile").
// Only digits (ASCII, Arabic-Indic or Persian), a leading '+', spaces and - ( ) . / are
// accepted: letters are refused rather than read as a vanity number ("1-800-FLOWERS").
// Error: InvalidArgument "to: not a valid phone number". Thread-safe.
Result<std::string> NormalizeNumber(std::string_view input, std::string_view default_region);

// True if libphonenumber knows `region` (e.g. "IR"; any case), for checking configuration.
bool IsSupportedRegion(std::string_view region);

// Checks a sender id (SMPP source_addr) and returns it unchanged. Accepted:
//  - empty: the operator's default sender is used;
//  - numeric: 1..15 digits, optionally after '+' (a '+' followed by anything else is refused:
//    the SMPP layer would send it as a number);
//  - alphanumeric: 1..11 ASCII characters that the GSM 03.38 basic table has too (letters,
//    digits, space and its punctuation; no line breaks, no extension characters), at least one
//    of them not a digit. Letters outside ASCII (even GSM ones like 'Ä') are refused: SMSCs
//    read source_addr as ASCII, so they would arrive garbled.
// Error: InvalidArgument with a message starting "from: ".
Result<std::string> ValidateSender(std::string_view from);

}  // namespace smsgw::sms
