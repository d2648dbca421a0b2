#include "event.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>

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

Result<v1::StatusEvent> DecodeEvent(std::string_view payload) {
  v1::StatusEvent event;
  if (!event.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return Status::InvalidArgument("not a StatusEvent protobuf");
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
                         event.mutable_error()}) {
    StripNul(s);
  }
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
