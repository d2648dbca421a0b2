#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace smsgw::smsctl {

// One message of `smsctl send --file`: its place in the input (line of JSONL, record of CSV,
// counting the header as 1) and the message object sent to POST /v1/messages/batch.
struct SendItem {
  int64_t record = 0;
  nlohmann::json message;
};

enum class InputFormat { kCsv, kJsonl };

// Reads messages from CSV (a header row naming the columns: to and text, optionally priority,
// from, client_ref, validity_s, callback_url; RFC 4180 quoting, parsed by libcsv) or JSONL (one
// message object per line). A column or field named "error" is ignored, so the --failed-out
// file of one run is the input of the next. Reading is incremental: a file of millions of
// messages is not held in memory.
class SendInput {
 public:
  SendInput(std::istream& in, InputFormat format);
  ~SendInput();

  // Appends up to `max` items to `out`. InvalidArgument naming the record for input that
  // cannot be read (a missing column, a bad JSON line, broken quoting); the run stops there.
  // Returns false in `*more` at the end of the input.
  Status Next(size_t max, std::vector<SendItem>& out, bool* more);

  struct CsvState;

 private:
  Status Fill(size_t want);

  std::istream& in_;
  InputFormat format_;
  int64_t line_ = 0;
  bool eof_ = false;
  std::deque<SendItem> ready_;
  std::unique_ptr<CsvState> csv_;
};

// csv for names ending in .csv, jsonl for .jsonl/.json/.ndjson; otherwise by the first
// character that is not white space: '{' is JSONL.
InputFormat GuessFormat(const std::string& path, const std::string& head);

// The line written to --failed-out for a failed item: the input's own format (CSV with the
// columns of the input plus "error", or the JSON object plus "error").
class FailedOutput {
 public:
  FailedOutput(std::ostream& out, InputFormat format) : out_(out), format_(format) {}
  void Write(const SendItem& item, const std::string& error);

 private:
  std::ostream& out_;
  InputFormat format_;
  std::vector<std::string> columns_;  // CSV: fixed by the first item written
};

}  // namespace smsgw::smsctl
