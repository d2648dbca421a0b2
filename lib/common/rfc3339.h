#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace smsgw {

// "2026-11-25T12:34:56.789Z": RFC 3339, UTC, milliseconds. Pure.
std::string FormatRfc3339Ms(int64_t unix_ms);

// Parses an RFC 3339 date-time ("2026-11-25T12:34:56Z", "...56.5+03:30", 'T' or ' ' or 't'
// between date and time, 'Z' or 'z' or a numeric offset) or a bare date ("2026-11-25", midnight
// UTC) into ms since the Unix epoch; fractions beyond milliseconds are cut. kInvalidArgument
// (no field name: callers add it) for anything else.
Result<int64_t> ParseRfc3339Ms(std::string_view text);

}  // namespace smsgw
