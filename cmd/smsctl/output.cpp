#include "output.h"

#include <algorithm>
#include <cctype>

namespace smsgw::smsctl {

std::string CellText(const nlohmann::json& cell) {
  if (cell.is_null()) return "";
  if (cell.is_string()) return cell.get<std::string>();
  return cell.dump();
}

std::string CsvField(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

nlohmann::json ListingJson(const Listing& listing) {
  nlohmann::json array = nlohmann::json::array();
  for (const auto& row : listing.rows) {
    nlohmann::json object = nlohmann::json::object();
    for (size_t i = 0; i < listing.columns.size() && i < row.size(); ++i) object[listing.columns[i]] = row[i];
    array.push_back(std::move(object));
  }
  return array;
}

void PrintListing(std::ostream& out, const Listing& listing, Output output) {
  switch (output) {
    case Output::kJson: out << ListingJson(listing).dump() << "\n"; return;
    case Output::kCsv:
      for (size_t i = 0; i < listing.columns.size(); ++i) out << (i ? "," : "") << CsvField(listing.columns[i]);
      out << "\n";
      for (const auto& row : listing.rows) {
        for (size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << CsvField(CellText(row[i]));
        out << "\n";
      }
      return;
    case Output::kTable: break;
  }
  // Table: upper-case headers, columns as wide as their widest cell (in bytes: names and
  // numbers are ASCII), two spaces between; numbers right-aligned.
  std::vector<size_t> width(listing.columns.size());
  std::vector<bool> numeric(listing.columns.size(), true);
  for (size_t i = 0; i < listing.columns.size(); ++i) width[i] = listing.columns[i].size();
  for (const auto& row : listing.rows) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], CellText(row[i]).size());
      if (!row[i].is_number() && !row[i].is_null()) numeric[i] = false;
    }
  }
  auto line = [&](auto cell_of) {
    std::string text;
    for (size_t i = 0; i < width.size(); ++i) {
      std::string cell = cell_of(i);
      const std::string pad(width[i] - std::min(width[i], cell.size()), ' ');
      const bool last = i + 1 == width.size();
      if (numeric[i]) {
        text += pad + cell;
      } else {
        text += cell + (last ? "" : pad);
      }
      if (!last) text += "  ";
    }
    text.erase(text.find_last_not_of(' ') + 1);
    out << text << "\n";
  };
  line(
      [&](size_t i) {
        std::string h = listing.columns[i];
        std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return std::toupper(c); });
        return h;
      });
  for (const auto& row : listing.rows) {
    line([&](size_t i) { return i < row.size() ? CellText(row[i]) : std::string(); });
  }
}

}  // namespace smsgw::smsctl
