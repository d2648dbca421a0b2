#include "api/hold_state.h"

#include "keys/keys.h"
#include "proto/names.h"

namespace smsgw::api {

std::optional<Hold> ParseHold(std::string_view value) {
  std::optional<keys::Hold> stored = keys::ParseHold(value);
  if (!stored) return std::nullopt;
  Hold hold;
  hold.cost = stored->cost;
  if (stored->state == "held") {
    hold.state = HoldState::kHeld;
  } else if (stored->state == "charged") {
    hold.state = HoldState::kCharged;
  } else if (stored->state == "refunded") {
    hold.state = HoldState::kRefunded;
  } else if (stored->state == "expired") {
    hold.state = HoldState::kExpired;
  } else {
    return std::nullopt;  // "void": a refund that came before its debit; no hold
  }
  return hold;
}

Result<std::vector<std::optional<Hold>>> ReadHolds(redis::Connection& conn, int64_t account_id,
                                                   const std::vector<std::string>& message_ids, int64_t now_ms,
                                                   int64_t retention_ms) {
  std::vector<std::optional<Hold>> out(message_ids.size());
  if (message_ids.empty()) return out;
  // One HMGET per bucket a hold may be in (newest first), in one round trip; the first value
  // found for a message is its hold.
  Result<std::vector<redis::Reply>> replies = conn.Pipeline(keys::HoldReads(account_id, message_ids, now_ms, retention_ms));
  if (!replies.ok()) return replies.status().WithContext("holds");
  std::vector<bool> found(message_ids.size(), false);
  for (const redis::Reply& reply : *replies) {
    if (reply.type != redis::Reply::Type::kArray || reply.elements.size() != message_ids.size()) {
      return Status::Internal("holds: unexpected HMGET reply");
    }
    for (size_t i = 0; i < message_ids.size(); ++i) {
      if (found[i] || reply.elements[i].is_nil()) continue;
      found[i] = true;
      out[i] = ParseHold(reply.elements[i].str);
    }
  }
  return out;
}

v1::MessageStatus ShownStatus(v1::MessageStatus reported, std::optional<Hold> hold) {
  constexpr int kFinal = 3;
  if (!hold || v1::StatusRank(reported) >= kFinal) return reported;
  v1::MessageStatus floor = v1::STATUS_UNSPECIFIED;
  switch (hold->state) {
    case HoldState::kHeld:
      floor = v1::STATUS_ACCEPTED;
      break;
    case HoldState::kCharged:
      floor = v1::STATUS_SUBMITTED;
      break;
    case HoldState::kExpired:
      floor = v1::STATUS_EXPIRED;
      break;
    case HoldState::kRefunded:
      floor = reported == v1::STATUS_SUBMITTED ? v1::STATUS_FAILED : v1::STATUS_CANCELED;
      break;
  }
  return v1::StatusRank(floor) > v1::StatusRank(reported) ? floor : reported;
}

}  // namespace smsgw::api
