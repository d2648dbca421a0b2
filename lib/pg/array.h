#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace smsgw::pg {

// PostgreSQL array literals ("{1,2,3}", "{\"a\",\"b\"}") for passing a whole batch as one
// parameter to `unnest($1::bigint[], ...)`: one statement per batch instead of one per row.
std::string ArrayLiteral(const std::vector<int64_t>& values);
// Elements are quoted and escaped, so any text (commas, quotes, braces) round-trips.
std::string ArrayLiteral(const std::vector<std::string>& values);

}  // namespace smsgw::pg
