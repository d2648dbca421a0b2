#include "pg/array.h"

namespace smsgw::pg {

void ArrayLiteral::Separate() {
  if (text_.size() > 1) text_ += ',';
}

void ArrayLiteral::AddNull() {
  Separate();
  text_ += "NULL";
}

void ArrayLiteral::AddInt(int64_t v) {
  Separate();
  text_ += std::to_string(v);
}

void ArrayLiteral::AddText(std::string_view s) {
  Separate();
  text_ += '"';
  for (char ch : s) {
    if (ch == '"' || ch == '\\') text_ += '\\';
    text_ += ch;
  }
  text_ += '"';
}

std::string ArrayLiteral::Finish() {
  text_ += '}';
  return std::move(text_);
}

std::string IntArray(const std::vector<int64_t>& values) {
  ArrayLiteral a;
  for (int64_t v : values) a.AddInt(v);
  return a.Finish();
}

std::string TextArray(const std::vector<std::string>& values) {
  ArrayLiteral a;
  for (const std::string& v : values) a.AddText(v);
  return a.Finish();
}

}  // namespace smsgw::pg
