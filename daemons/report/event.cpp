#include "event.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/unknown_field_set.h>

#include <cstdio>

#include "sms/utf8.h"
#include "sms/uuid7.h"

namespace smsgw::report {
namespace {

constexpr int kFinalRank = 3;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void StripNul(std::string* s) { s->erase(std::remove(s->begin(), s->end(), '\0'), s->end()); }

std::optional<std::string> NonEmpty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

std::optional<int64_t> NonZero(int64_t ms) {
  if (ms == 0) return std::nullopt;
  return ms;
}

// Sets `event` from wire data read without a schema, so without the strict parser's UTF-8 check
// of string fields. Fields this build does not know are skipped, as the strict parser skips
// them; a known field of the wrong wire type makes the payload unusable.
Status SetFromWire(const google::protobuf::UnknownFieldSet& wire, v1::StatusEvent* event,
                   std::vector<std::string>* repaired) {
  using google::protobuf::FieldDescriptor;
  using google::protobuf::UnknownField;
  const google::protobuf::Descriptor* descriptor = event->GetDescriptor();
  const google::protobuf::Reflection* reflection = event->GetReflection();
  for (int i = 0; i < wire.field_count(); ++i) {
    const UnknownField& f = wire.field(i);
    const FieldDescriptor* field = descriptor->FindFieldByNumber(f.number());
    if (field == nullptr || field->is_repeated()) continue;
    const bool varint = f.type() == UnknownField::TYPE_VARINT;
    switch (field->type()) {
      case FieldDescriptor::TYPE_STRING: {
        if (f.type() != UnknownField::TYPE_LENGTH_DELIMITED) break;
        std::string text = f.length_delimited();
        if (RepairUtf8(&text)) repaired->push_back(field->name());
        reflection->SetString(event, field, std::move(text));
        continue;
      }
      case FieldDescriptor::TYPE_INT64:
        if (!varint) break;
        reflection->SetInt64(event, field, static_cast<int64_t>(f.varint()));
        continue;
      case FieldDescriptor::TYPE_INT32:
        if (!varint) break;
        reflection->SetInt32(event, field, static_cast<int32_t>(f.varint()));
        continue;
      case FieldDescriptor::TYPE_ENUM:
        if (!varint) break;
        reflection->SetEnumValue(event, field, static_cast<int>(f.varint()));
        continue;
      default:
        break;
    }
    return Status::InvalidArgument("not a StatusEvent protobuf: field " + field->name() +
                                   " has an unexpected wire type");
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> CanonicalUuid(std::string_view text) {
  if (text.size() != 36) return Status::InvalidArgument("not a UUID: wrong length");
  std::string out(text);
  for (size_t i = 0; i < out.size(); ++i) {
    const bool dash_here = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_here) {
      if (out[i] != '-') return Status::InvalidArgument("not a UUID: misplaced '-'");
      continue;
    }
    if (HexValue(out[i]) < 0) return Status::InvalidArgument("not a UUID: non-hex character");
    if (out[i] >= 'A' && out[i] <= 'F') out[i] = static_cast<char>(out[i] - 'A' + 'a');
  }
  return out;
}

Result<int64_t> UuidV7TimeMs(std::string_view text) { return sms::UuidV7TimeMs(text); }

bool RepairUtf8(std::string* text) {
  if (!sms::FindInvalidUtf8(*text)) return false;
  std::string out;
  out.reserve(text->size() + 16);
  size_t pos = 0;
  while (pos < text->size()) {
    const size_t start = pos;
    if (sms::DecodeUtf8(*text, &pos) != sms::kInvalidCodePoint) {
      out.append(*text, start, pos - start);
      continue;
    }
    char escaped[5];
    std::snprintf(escaped, sizeof escaped, "\\x%02x",
                  static_cast<unsigned>(static_cast<unsigned char>((*text)[pos])));
    out += escaped;
    ++pos;
  }
  *text = std::move(out);
  return true;
}

Result<v1::StatusEvent> DecodeEvent(std::string_view payload, std::vector<std::string>* repaired) {
  v1::StatusEvent event;
  std::vector<std::string> repaired_here;
  if (!event.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    // The strict parser also refuses string fields that are not UTF-8, and those can come from
    // an SMSC (its message ids, the stat and err of a receipt): such an event is still worth
    // its status. Parsed again without the check, with the bad bytes escaped.
    event.Clear();
    google::protobuf::UnknownFieldSet wire;
    if (!wire.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
      return Status::InvalidArgument("not a StatusEvent protobuf");
    }
    if (Status s = SetFromWire(wire, &event, &repaired_here); !s.ok()) return s;
    if (repaired_here.empty()) return Status::InvalidArgument("not a StatusEvent protobuf");
  }
  if (StatusRank(event.status()) == 0) {
    return Status::InvalidArgument("unknown status " + std::to_string(event.status()));
  }
  if (Result<int64_t> t = UuidV7TimeMs(event.message_id()); !t.ok()) {
    return t.status().WithContext("message_id");
  }
  *event.mutable_message_id() = CanonicalUuid(event.message_id()).value();
  for (std::string* s : {event.mutable_to(), event.mutable_from(), event.mutable_client_ref(),
                         event.mutable_operator_name(), event.mutable_operator_message_id(),
                         event.mutable_error(), event.mutable_callback_url(),
                         event.mutable_dlr_url()}) {
    StripNul(s);
  }
  if (repaired != nullptr) *repaired = std::move(repaired_here);
  return event;
}

std::vector<MessageUpdate> Coalesce(const std::vector<v1::StatusEvent>& events) {
  // A hash index on views of the events' ids (they outlive this call), then one sort of the
  // merged rows: a batch holds thousands of events, and an ordered map of string keys spent more
  // time comparing and allocating than the merging itself.
  std::unordered_map<std::string_view, size_t> index;
  index.reserve(events.size());
  std::vector<MessageUpdate> merged;
  merged.reserve(events.size());
  for (const v1::StatusEvent& e : events) {
    auto [it, fresh] = index.try_emplace(e.message_id(), merged.size());
    if (fresh) {
      MessageUpdate& u = merged.emplace_back();
      u.id = e.message_id();
      Result<int64_t> created = UuidV7TimeMs(e.message_id());
      u.created_at_ms = created.ok() ? created.value() : 0;
    }
    MessageUpdate& u = merged[it->second];
    const int rank = StatusRank(e.status());
    const int current = StatusRank(u.status);
    // A second, different outcome for a message already final is ignored altogether.
    if (rank == kFinalRank && current == kFinalRank && e.status() != u.status) continue;
    if (rank > current) {
      u.status = e.status();
      if (rank == kFinalRank) u.done_at_ms = NonZero(e.at_ms());
    }

    if (e.status() == v1::STATUS_ACCEPTED && !u.to) {
      if (e.account_id() != 0) u.account_id = e.account_id();
      u.to = e.to();
      u.from = NonEmpty(e.from());
      u.encoding = e.encoding();
      u.segments = e.segments();
      u.cost = e.cost();
      u.priority = e.priority();
      u.client_ref = NonEmpty(e.client_ref());
      u.callback_url = NonEmpty(e.callback_url());
      u.dlr_url = NonEmpty(e.dlr_url());
      if (u.dlr_url) u.dlr_mask = e.dlr_mask();
    } else if (u.account_id == 0) {
      u.account_id = e.account_id();
    }
    if (e.status() == v1::STATUS_SUBMITTED && !u.submitted_at_ms) {
      u.submitted_at_ms = NonZero(e.at_ms());
    }
    if (!e.operator_name().empty()) u.operator_name = e.operator_name();
    if (!e.operator_message_id().empty()) u.operator_message_id = e.operator_message_id();
    if (!e.error().empty()) u.error = e.error();
  }

  std::vector<size_t> order(merged.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return merged[a].id < merged[b].id; });
  std::vector<MessageUpdate> out;
  out.reserve(merged.size());
  for (size_t i : order) out.push_back(std::move(merged[i]));
  return out;
}

}  // namespace smsgw::report
