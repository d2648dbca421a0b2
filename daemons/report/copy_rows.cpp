#include "copy_rows.h"

#include <charconv>
#include <optional>
#include <string_view>
#include <type_traits>

namespace smsgw::report {
namespace {

// Appends one field and the separator after it ('\t', or '\n' for the last of a row).
class RowBuilder {
 public:
  explicit RowBuilder(std::string* out) : out_(out) {}

  void Null() { Next("\\N", 2); }
  void Int(int64_t v) {
    char buf[24];
    const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    Next(buf, static_cast<size_t>(end - buf));
  }
  void Text(std::string_view s) {
    Separate();
    for (char ch : s) {
      switch (ch) {
        case '\\': out_->append("\\\\"); break;
        case '\t': out_->append("\\t"); break;
        case '\n': out_->append("\\n"); break;
        case '\r': out_->append("\\r"); break;
        default: out_->push_back(ch);
      }
    }
  }
  template <typename T>
  void Optional(const std::optional<T>& v) {
    if (!v) {
      Null();
    } else if constexpr (std::is_integral_v<T>) {
      Int(*v);
    } else {
      Text(*v);
    }
  }
  void EndRow() {
    out_->push_back('\n');
    first_ = true;
  }

 private:
  void Separate() {
    if (!first_) out_->push_back('\t');
    first_ = false;
  }
  void Next(const char* text, size_t n) {
    Separate();
    out_->append(text, n);
  }

  std::string* out_;
  bool first_ = true;
};

}  // namespace

std::string CopyRows(const std::vector<MessageUpdate>& updates) {
  std::string out;
  out.reserve(updates.size() * 160);
  RowBuilder row(&out);
  for (const MessageUpdate& u : updates) {
    row.Text(u.id);
    if (u.account_id != 0) {
      row.Int(u.account_id);
    } else {
      row.Null();
    }
    row.Int(u.created_at_ms);
    row.Text(StatusName(u.status));
    row.Optional(u.to);
    row.Optional(u.from);
    if (u.encoding) {
      row.Text(EncodingName(*u.encoding));
    } else {
      row.Null();
    }
    row.Optional(u.segments);
    row.Optional(u.cost);
    if (u.priority) {
      row.Text(PriorityName(*u.priority));
    } else {
      row.Null();
    }
    row.Optional(u.client_ref);
    row.Optional(u.submitted_at_ms);
    row.Optional(u.done_at_ms);
    row.Optional(u.operator_name);
    row.Optional(u.operator_message_id);
    row.Optional(u.error);
    row.Optional(u.callback_url);
    row.Optional(u.dlr_url);
    row.Optional(u.dlr_mask);
    row.EndRow();
  }
  return out;
}

}  // namespace smsgw::report
