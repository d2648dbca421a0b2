#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace smsgw::pg {

// Builds a PostgreSQL array literal ("{...}") element by element, for passing a whole column
// of a batch as one text parameter to `unnest($1::bigint[], ...)`: one statement per batch
// instead of one per row. Text elements are always quoted, so any character is safe but NUL.
class ArrayLiteral {
 public:
  void AddNull();
  void AddInt(int64_t v);
  void AddText(std::string_view s);
  // The literal; the builder may not be used after.
  std::string Finish();

 private:
  void Separate();
  std::string text_ = "{";
};

// Whole-vector shorthands.
std::string IntArray(const std::vector<int64_t>& values);
std::string TextArray(const std::vector<std::string>& values);

}  // namespace smsgw::pg
