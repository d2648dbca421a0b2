#include "export_format.h"

#include <array>
#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/rfc3339.h"

namespace smsgw::report {
namespace {

enum class Kind { kText, kNumber, kTime };
struct Column {
  const char* name;
  Kind kind;
};
constexpr std::array<Column, 13> kColumns = {{
    {"id", Kind::kText},
    {"status", Kind::kText},
    {"to", Kind::kText},
    {"from", Kind::kText},
    {"encoding", Kind::kText},
    {"segments", Kind::kNumber},
    {"cost", Kind::kNumber},
    {"priority", Kind::kText},
    {"client_ref", Kind::kText},
    {"accepted_at", Kind::kTime},
    {"submitted_at", Kind::kTime},
    {"done_at", Kind::kTime},
    {"error", Kind::kText},
}};

// Undoes COPY text escaping (\\, \t, \n, \r, \b, \f, \v and octal \NNN are what PostgreSQL
// writes; anything else after a backslash stands for itself).
std::string Unescape(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\' || i + 1 == field.size()) {
      out.push_back(field[i]);
      continue;
    }
    const char c = field[++i];
    switch (c) {
      case 't': out.push_back('\t'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'v': out.push_back('\v'); break;
      default:
        if (c >= '0' && c <= '7') {
          int v = 0, n = 0;
          while (n < 3 && i < field.size() && field[i] >= '0' && field[i] <= '7') v = v * 8 + (field[i++] - '0'), ++n;
          --i;
          out.push_back(static_cast<char>(v));
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

// The field's value as the export shows it; nullopt for NULL.
std::optional<std::string> Value(std::string_view raw, Kind kind) {
  if (raw == "\\N") return std::nullopt;
  if (kind == Kind::kText) return Unescape(raw);
  if (kind == Kind::kNumber) return std::string(raw);
  int64_t ms = 0;
  if (std::from_chars(raw.data(), raw.data() + raw.size(), ms).ec != std::errc()) return std::string(raw);
  return FormatRfc3339Ms(ms);
}

void AppendCsvField(std::string_view v, std::string* out) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(v);
    return;
  }
  out->push_back('"');
  for (char c : v) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace

std::string ExportHeader(v1::ExportFormat format) {
  if (format != v1::EXPORT_CSV) return "";
  std::string header;
  for (const Column& c : kColumns) {
    if (!header.empty()) header.push_back(',');
    header += c.name;
  }
  return header + "\n";
}

bool AppendExportRow(std::string_view line, v1::ExportFormat format, std::string* out) {
  std::array<std::string_view, kColumns.size()> raw;
  size_t n = 0;
  size_t start = 0;
  while (true) {
    const size_t tab = line.find('\t', start);
    if (n == raw.size()) return false;
    raw[n++] = line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start);
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  if (n != raw.size()) return false;

  if (format == v1::EXPORT_CSV) {
    for (size_t i = 0; i < raw.size(); ++i) {
      if (i > 0) out->push_back(',');
      if (std::optional<std::string> v = Value(raw[i], kColumns[i].kind)) AppendCsvField(*v, out);
    }
    out->push_back('\n');
    return true;
  }
  nlohmann::ordered_json row = nlohmann::ordered_json::object();
  for (size_t i = 0; i < raw.size(); ++i) {
    std::optional<std::string> v = Value(raw[i], kColumns[i].kind);
    if (!v) {
      row[kColumns[i].name] = nullptr;
    } else if (kColumns[i].kind == Kind::kNumber) {
      row[kColumns[i].name] = std::stoll(*v);
    } else {
      row[kColumns[i].name] = std::move(*v);
    }
  }
  // Invalid UTF-8 (none should be stored: the writer escapes it) is replaced, never thrown.
  out->append(row.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
  out->push_back('\n');
  return true;
}

}  // namespace smsgw::report
