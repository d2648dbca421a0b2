#include "api/hold_state.h"

#include <charconv>

#include "keys/keys.h"
#include "proto/names.h"

namespace smsgw::api {

std::optional<Hold> ParseHold(std::string_view value) {
  const size_t colon = value.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view state = value.substr(0, colon);
  Hold hold;
  if (state == "held") {
    hold.state = HoldState::kHeld;
  } else if (state == "charged") {
    hold.state = HoldState::kCharged;
  } else if (state == "refunded") {
    hold.state = HoldState::kRefunded;
  } else if (state == "expired") {
    hold.state = HoldState::kExpired;
  } else {
    return std::nullopt;
  }
  const std::string_view cost = value.substr(colon + 1);
  auto [end, ec] = std::from_chars(cost.data(), cost.data() + cost.size(), hold.cost);
  if (cost.empty() || ec != std::errc() || end != cost.data() + cost.size()) return std::nullopt;
  return hold;
}

Result<std::vector<std::optional<Hold>>> ReadHolds(redis::Connection& conn, int64_t account_id,
                                                   const std::vector<std::string>& message_ids) {
  std::vector<std::optional<Hold>> out;
  if (message_ids.empty()) return out;
  redis::Command hmget = {"HMGET", keys::Holds(account_id)};
  hmget.insert(hmget.end(), message_ids.begin(), message_ids.end());
  Result<redis::Reply> reply = conn.Run(hmget);
  if (!reply.ok()) return reply.status().WithContext("holds");
  if (reply->type != redis::Reply::Type::kArray || reply->elements.size() != message_ids.size()) {
    return Status::Internal("holds: unexpected HMGET reply");
  }
  for (const redis::Reply& r : reply->elements) {
    out.push_back(r.is_nil() ? std::nullopt : ParseHold(r.str));
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
