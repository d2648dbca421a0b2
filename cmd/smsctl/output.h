#pragma once

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace smsgw::smsctl {

// --output: table (aligned columns for people; `text` is accepted as its old name), json (one
// JSON document on one line) or csv (RFC 4180, a header row first, for spreadsheets and awk).
enum class Output { kTable, kJson, kCsv };

// A listing: column names, then one row per record. Cells are JSON values so json output keeps
// their types; table and csv print strings as they are, null as empty, anything else as JSON.
struct Listing {
  std::vector<std::string> columns;
  std::vector<std::vector<nlohmann::json>> rows;
};

// json: an array of objects keyed by column name.
nlohmann::json ListingJson(const Listing& listing);
void PrintListing(std::ostream& out, const Listing& listing, Output output);

// One cell as table and csv show it.
std::string CellText(const nlohmann::json& cell);

// A CSV field, quoted when it holds a comma, quote, CR or LF (RFC 4180).
std::string CsvField(const std::string& field);

}  // namespace smsgw::smsctl
