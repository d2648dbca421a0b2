#include "smpp/receipt.h"

#include <initializer_list>
#include <cctype>

namespace smsgw::smpp {
namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Position of `key` (lower case, with its colon) in `lower` at a word start, or npos.
size_t FindKey(std::string_view lower, std::string_view key) {
  for (size_t p = lower.find(key); p != std::string_view::npos; p = lower.find(key, p + 1)) {
    if (p == 0 || IsSpace(lower[p - 1])) return p;
  }
  return std::string_view::npos;
}

// The value after the first of `keys` found in head: up to the next whitespace.
std::string Field(std::string_view head, std::string_view lower_head,
                  std::initializer_list<std::string_view> keys) {
  for (std::string_view key : keys) {
    size_t p = FindKey(lower_head, key);
    if (p == std::string_view::npos) continue;
    size_t begin = p + key.size();
    size_t end = begin;
    while (end < head.size() && !IsSpace(head[end])) ++end;
    return std::string(head.substr(begin, end - begin));
  }
  return {};
}

}  // namespace

std::string_view ReceiptStateName(ReceiptState state) {
  switch (state) {
    case ReceiptState::kDelivered: return "delivered";
    case ReceiptState::kUndelivered: return "undelivered";
    case ReceiptState::kExpired: return "expired";
    case ReceiptState::kNotFinal: break;
  }
  return "not_final";
}

Result<ReceiptText> ParseReceiptText(std::string_view text) {
  const std::string lower = Lower(text);
  size_t text_pos = FindKey(lower, "text:");
  std::string_view head = text.substr(0, text_pos);
  std::string_view lower_head = std::string_view(lower).substr(0, text_pos);

  ReceiptText r;
  r.id = Field(head, lower_head, {"id:"});
  r.sub = Field(head, lower_head, {"sub:"});
  r.dlvrd = Field(head, lower_head, {"dlvrd:"});
  r.submit_date = Field(head, lower_head, {"submit date:", "submit_date:"});
  r.done_date = Field(head, lower_head, {"done date:", "done_date:"});
  r.stat = Upper(Field(head, lower_head, {"stat:"}));
  r.err = Field(head, lower_head, {"err:"});
  if (text_pos != std::string_view::npos) {
    std::string_view rest = text.substr(text_pos + 5);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    r.text = std::string(rest);
  }
  if (r.id.empty() && r.stat.empty()) {
    return Status::InvalidArgument("delivery receipt: neither id: nor stat: found");
  }
  return r;
}

std::string FormatReceiptText(const ReceiptText& f) {
  std::string out;
  out.reserve(128 + f.text.size());
  out += "id:" + f.id;
  out += " sub:" + f.sub;
  out += " dlvrd:" + f.dlvrd;
  out += " submit date:" + f.submit_date;
  out += " done date:" + f.done_date;
  out += " stat:" + f.stat;
  out += " err:" + f.err;
  out += " text:" + f.text;
  return out;
}

ReceiptState StateFromStat(std::string_view stat) {
  const std::string s = Upper(stat);
  if (s == "DELIVRD" || s == "DELIVERED") return ReceiptState::kDelivered;
  if (s == "UNDELIV" || s == "UNDELIVERABLE" || s == "REJECTD" || s == "REJECTED" ||
      s == "DELETED" || s == "FAILED") {
    return ReceiptState::kUndelivered;
  }
  if (s == "EXPIRED") return ReceiptState::kExpired;
  return ReceiptState::kNotFinal;
}

ReceiptState StateFromMessageState(uint8_t message_state) {
  switch (static_cast<MessageState>(message_state)) {
    case MessageState::kDelivered: return ReceiptState::kDelivered;
    case MessageState::kExpired: return ReceiptState::kExpired;
    case MessageState::kDeleted:
    case MessageState::kUndeliverable:
    case MessageState::kRejected: return ReceiptState::kUndelivered;
    default: return ReceiptState::kNotFinal;
  }
}

std::string_view StatFromMessageState(uint8_t message_state) {
  switch (static_cast<MessageState>(message_state)) {
    case MessageState::kEnroute: return "ENROUTE";
    case MessageState::kDelivered: return "DELIVRD";
    case MessageState::kExpired: return "EXPIRED";
    case MessageState::kDeleted: return "DELETED";
    case MessageState::kUndeliverable: return "UNDELIV";
    case MessageState::kAccepted: return "ACCEPTD";
    case MessageState::kRejected: return "REJECTD";
    default: return "UNKNOWN";
  }
}

std::optional<uint8_t> MessageStateFromStat(std::string_view stat) {
  const std::string s = Upper(stat);
  for (uint8_t v = 1; v <= 8; ++v) {
    if (s == StatFromMessageState(v)) return v;
  }
  return std::nullopt;
}

int64_t ParseReceiptDate(std::string_view date) {
  if (date.size() != 10 && date.size() != 12) return 0;
  for (char c : date) {
    if (c < '0' || c > '9') return 0;
  }
  auto num = [&](size_t at) { return (date[at] - '0') * 10 + (date[at + 1] - '0'); };
  const int year = 2000 + num(0), month = num(2), day = num(4), hour = num(6), minute = num(8);
  const int second = date.size() == 12 ? num(10) : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return 0;
  // Days from the civil date (Howard Hinnant's algorithm), so no time zone is involved.
  const int y = month <= 2 ? year - 1 : year;
  const int era = y / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = int64_t{era} * 146097 + doe - 719468;
  return ((days * 24 + hour) * 60 + minute) * 60000 + int64_t{second} * 1000;
}

Result<Receipt> ReceiptFromDeliverSm(const DeliverSm& deliver) {
  Receipt r;
  r.raw_text = deliver.Payload();
  Result<ReceiptText> parsed = ParseReceiptText(r.raw_text);
  if (parsed.ok()) {
    r.message_id = parsed->id;
    r.stat = parsed->stat;
    r.error_code = parsed->err;
    r.submit_date = parsed->submit_date;
    r.done_date = parsed->done_date;
    r.state = StateFromStat(r.stat);
  }
  if (deliver.receipted_message_id && !deliver.receipted_message_id->empty()) {
    r.message_id = *deliver.receipted_message_id;
    r.id_from_tlv = true;
  }
  r.done_at_ms = ParseReceiptDate(r.done_date);
  if (deliver.message_state) {
    r.state = StateFromMessageState(*deliver.message_state);
    if (r.stat.empty()) r.stat = std::string(StatFromMessageState(*deliver.message_state));
  }
  if (r.message_id.empty()) {
    return Status::InvalidArgument("delivery receipt without a message id: \"" + r.raw_text +
                                   "\"");
  }
  return r;
}

}  // namespace smsgw::smpp
