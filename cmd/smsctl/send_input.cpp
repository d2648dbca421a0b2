#include "send_input.h"

#include <csv.h>

#include <algorithm>
#include <set>

#include "output.h"

namespace smsgw::smsctl {
namespace {

// The fields a message may carry (POST /v1/messages); numbers are sent as numbers.
const std::set<std::string> kTextColumns = {"to", "text", "priority", "from", "client_ref", "callback_url"};
const std::set<std::string> kNumberColumns = {"validity_s"};
constexpr const char* kErrorColumn = "error";

}  // namespace

// libcsv hands fields and record ends to callbacks; they collect rows here.
struct SendInput::CsvState {
  csv_parser parser{};
  std::vector<std::string> header;
  std::vector<std::string> row;
  std::vector<std::vector<std::string>> rows;
  CsvState() { csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI); }
  ~CsvState() { csv_free(&parser); }
  static void Field(void* data, size_t len, void* self) {
    static_cast<CsvState*>(self)->row.emplace_back(static_cast<const char*>(data), len);
  }
  static void Record(int, void* self) {
    auto* s = static_cast<CsvState*>(self);
    s->rows.push_back(std::move(s->row));
    s->row.clear();
  }
};

SendInput::SendInput(std::istream& in, InputFormat format) : in_(in), format_(format) {
  if (format_ == InputFormat::kCsv) csv_ = std::make_unique<CsvState>();
}

SendInput::~SendInput() = default;

Status SendInput::Fill(size_t want) {
  while (ready_.size() < want && !eof_) {
    if (format_ == InputFormat::kJsonl) {
      std::string line;
      if (!std::getline(in_, line)) {
        eof_ = true;
        break;
      }
      ++line_;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (!j.is_object()) return Status::InvalidArgument("line " + std::to_string(line_) + ": not a JSON object");
      j.erase(kErrorColumn);
      ready_.push_back({line_, std::move(j)});
      continue;
    }
    char buf[1 << 16];
    in_.read(buf, sizeof(buf));
    const size_t n = static_cast<size_t>(in_.gcount());
    CsvState& c = *csv_;
    if (n > 0 && csv_parse(&c.parser, buf, n, CsvState::Field, CsvState::Record, &c) != n) {
      return Status::InvalidArgument("CSV record " + std::to_string(line_ + c.rows.size() + 1) + ": " +
                                     csv_strerror(csv_error(&c.parser)));
    }
    if (n < sizeof(buf)) {
      eof_ = true;
      if (csv_fini(&c.parser, CsvState::Field, CsvState::Record, &c) != 0) {
        return Status::InvalidArgument("CSV record " + std::to_string(line_ + c.rows.size() + 1) + ": " +
                                       csv_strerror(csv_error(&c.parser)));
      }
    }
    for (std::vector<std::string>& row : c.rows) {
      ++line_;
      if (row.size() == 1 && row[0].empty()) continue;  // a blank line
      if (c.header.empty()) {
        c.header = row;
        for (const std::string& name : c.header) {
          if (!kTextColumns.count(name) && !kNumberColumns.count(name) && name != kErrorColumn) {
            return Status::InvalidArgument("CSV header: unknown column \"" + name +
                                           "\" (to, text, priority, from, client_ref, validity_s, callback_url)");
          }
        }
        if (std::find(c.header.begin(), c.header.end(), "to") == c.header.end() ||
            std::find(c.header.begin(), c.header.end(), "text") == c.header.end()) {
          return Status::InvalidArgument("CSV header: the columns to and text are required");
        }
        continue;
      }
      if (row.size() != c.header.size()) {
        return Status::InvalidArgument("CSV record " + std::to_string(line_) + ": " + std::to_string(row.size()) +
                                       " fields, the header has " + std::to_string(c.header.size()));
      }
      nlohmann::json message = nlohmann::json::object();
      for (size_t i = 0; i < row.size(); ++i) {
        const std::string& name = c.header[i];
        if (name == kErrorColumn || (row[i].empty() && name != "text")) continue;
        if (kNumberColumns.count(name)) {
          nlohmann::json v = nlohmann::json::parse(row[i], nullptr, false);
          if (!v.is_number_integer()) {
            return Status::InvalidArgument("CSV record " + std::to_string(line_) + ": " + name + " must be an integer");
          }
          message[name] = v;
        } else {
          message[name] = row[i];
        }
      }
      ready_.push_back({line_, std::move(message)});
    }
    c.rows.clear();
  }
  return Status::Ok();
}

Status SendInput::Next(size_t max, std::vector<SendItem>& out, bool* more) {
  if (Status s = Fill(max); !s.ok()) return s;
  while (max-- > 0 && !ready_.empty()) {
    out.push_back(std::move(ready_.front()));
    ready_.pop_front();
  }
  *more = !ready_.empty() || !eof_;
  return Status::Ok();
}

InputFormat GuessFormat(const std::string& path, const std::string& head) {
  auto ends = [&](const std::string& suffix) {
    return path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends(".csv")) return InputFormat::kCsv;
  if (ends(".jsonl") || ends(".json") || ends(".ndjson")) return InputFormat::kJsonl;
  const size_t first = head.find_first_not_of(" \t\r\n");
  return first != std::string::npos && head[first] == '{' ? InputFormat::kJsonl : InputFormat::kCsv;
}

void FailedOutput::Write(const SendItem& item, const std::string& error) {
  if (format_ == InputFormat::kJsonl) {
    nlohmann::json j = item.message;
    j[kErrorColumn] = error;
    out_ << j.dump() << "\n";
    return;
  }
  if (columns_.empty()) {
    for (const char* c : {"to", "text", "priority", "from", "client_ref", "validity_s", "callback_url"}) {
      columns_.push_back(c);
    }
    for (size_t i = 0; i < columns_.size(); ++i) out_ << (i ? "," : "") << columns_[i];
    out_ << "," << kErrorColumn << "\n";
  }
  for (size_t i = 0; i < columns_.size(); ++i) {
    auto it = item.message.find(columns_[i]);
    out_ << (i ? "," : "") << (it == item.message.end() ? "" : CsvField(CellText(*it)));
  }
  out_ << "," << CsvField(error) << "\n";
}

}  // namespace smsgw::smsctl
