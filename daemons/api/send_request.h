#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "proto/smsgw.pb.h"
#include "sms/encoding.h"

// Reading a POST /v1/messages body: the shape of the JSON, field by field. Pure functions.
// Number, sender and text checks that need libraries or config come later, in send.h.
namespace smsgw::api {

inline constexpr size_t kMaxClientRef = 64;               // bytes
inline constexpr size_t kMaxCallbackUrl = 2048;           // bytes
inline constexpr int64_t kMaxValiditySeconds = 31536000;  // one year: bounds expires_at_ms

struct SendRequest {
  std::string to;    // as written; normalised to E.164 later
  std::string text;  // UTF-8 (the JSON parser has checked it)
  std::string from;  // empty: the operator's default sender
  v1::Priority priority = v1::PRIORITY_NORMAL;
  std::string client_ref;
  int64_t validity_s = 0;  // 0: no limit
  std::string callback_url;
  // Kannel's sendsms only: its coding (0 GSM-7, 2 UCS-2) when given, and its delivery-report
  // URL and mask, which travel with the accepted event (StatusEvent.dlr_url, dlr_mask).
  std::optional<sms::Encoding> encoding;
  std::string dlr_url;
  int32_t dlr_mask = 0;
};

// True for application/json and application/*+json, with an optional charset that must be
// UTF-8 (RFC 8259 allows nothing else). Case-insensitive.
bool IsJsonContentType(std::optional<std::string_view> content_type);

// Parses `body` as a JSON object. InvalidArgument (answered as 400 invalid_json) naming the
// problem: the parser's message with its byte position, or "body: must be a JSON object".
Result<nlohmann::json> ParseJsonObject(std::string_view body);

// The fields of one message object. InvalidArgument naming the field: "to: required",
// "to: must be a string", "priority: must be normal or express", "colour: unknown field", ...
// Unknown fields are reported first (they are usually typos of the field that then looks
// missing). null counts as absent for the optional fields.
Result<SendRequest> ParseSendRequest(const nlohmann::json& object);

// The callback targets of `req` (callback_url, Kannel's dlr-url) under the policy smsgw-report
// applies before each delivery (webhook::CheckCallbackUrl: no private, loopback or link-local
// address unless `allow_private`), so a customer learns at once that a target will never be
// called, and the gateway is never pointed at its own network (SSRF). InvalidArgument naming
// the field ("callback_url: ...", "dlr-url: ...").
Status CheckCallbackTargets(const SendRequest& req, bool allow_private);

}  // namespace smsgw::api
