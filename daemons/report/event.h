#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "proto/names.h"
#include "proto/smsgw.pb.h"

// The pure half of smsgw-report: decoding status events and coalescing a batch of them into one
// row update per message (DESIGN.md sections 2 and 6). No I/O here; tests cover it directly.
namespace smsgw::report {

// Checks a UUID in text form (8-4-4-4-12 hex digits, any case) and returns it lower-cased, the
// one spelling used as a map key and sent to PostgreSQL. kInvalidArgument otherwise.
Result<std::string> CanonicalUuid(std::string_view text);

// The creation time of a message: the time in its UUIDv7 id (sms::UuidV7TimeMs: the first 48
// bits, ms since the Unix epoch). kInvalidArgument when `text` is not a UUIDv7.
Result<int64_t> UuidV7TimeMs(std::string_view text);

// Replaces every byte of `text` that is not part of a valid UTF-8 sequence with the four
// characters \xNN (its value in lower-case hex); valid sequences stay as they are. False, and
// `text` untouched, when it was valid UTF-8 already.
bool RepairUtf8(std::string* text);

// Parses the payload of a stream entry (field "e") and checks what the writer relies on: a
// UUIDv7 message id (returned lower-cased in the event) and a known status. A string field
// holding bytes that are not UTF-8 (which proto3's parser refuses: they come from an SMSC) does
// not make the event unusable: the payload is read again without that check and the field
// repaired with RepairUtf8; the names of repaired fields go to *repaired (cleared otherwise)
// when given. String fields lose any NUL byte, which PostgreSQL text cannot hold.
// kInvalidArgument when the entry is unusable; such an entry is dropped, never retried.
Result<v1::StatusEvent> DecodeEvent(std::string_view payload,
                                    std::vector<std::string>* repaired = nullptr);

// One row's worth of change for `messages`, merged from every event of a batch about one message.
// Absent (nullopt / empty optional) fields leave the stored column as it is.
struct MessageUpdate {
  std::string id;             // lower-case UUIDv7
  int64_t account_id = 0;     // 0: no event of the batch named it
  int64_t created_at_ms = 0;  // from the id
  v1::MessageStatus status = v1::STATUS_UNSPECIFIED;

  // Attributes, known when the batch holds the accepted event.
  std::optional<std::string> to;
  std::optional<std::string> from;
  std::optional<v1::Encoding> encoding;
  std::optional<int32_t> segments;
  std::optional<int64_t> cost;
  std::optional<v1::Priority> priority;
  std::optional<std::string> client_ref;

  std::optional<int64_t> submitted_at_ms;
  std::optional<int64_t> done_at_ms;  // time of the final status kept
  std::optional<std::string> operator_name;
  std::optional<std::string> operator_message_id;
  std::optional<std::string> error;
  // Where status callbacks go, from the accepted event (absent: none asked for).
  std::optional<std::string> callback_url;
  std::optional<std::string> dlr_url;
  std::optional<int32_t> dlr_mask;

  bool operator==(const MessageUpdate&) const = default;
};

// Merges `events` (in stream order, already checked by DecodeEvent) into one update per message
// id, sorted by id so that concurrent writers lock rows in the same order:
//  - status: the highest rank; between two final statuses the first seen stays, and the later
//    one contributes nothing (its time and error belong to an outcome that did not happen);
//  - attributes (to, from, encoding, segments, cost, priority, client_ref, callback_url,
//    dlr_url, dlr_mask): from the first accepted event; empty `from`, `client_ref`,
//    `callback_url` and `dlr_url` stay absent, and dlr_mask with them;
//  - account_id: the first non-zero one, an accepted event's taking precedence;
//  - submitted_at: at_ms of the first submitted event; done_at: at_ms of the final kept;
//  - operator_name / operator_message_id / error: the last non-empty value.
// Times of 0 count as absent.
std::vector<MessageUpdate> Coalesce(const std::vector<v1::StatusEvent>& events);

}  // namespace smsgw::report
