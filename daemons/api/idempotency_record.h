#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/hold_state.h"
#include "api/http_types.h"
#include "common/status.h"

// Idempotency-Key (Stripe's semantics), the pure part: what is stored per key and how a stored
// record is judged. The flow that reads and writes them is IdempotencyGate
// (idempotency_gate.h); docs/decisions.md "Idempotency keys" says why it works this way.
namespace smsgw::api {

inline constexpr size_t kMaxIdempotencyKey = 255;
inline constexpr int64_t kIdempotencyKeepMs = 24LL * 3600 * 1000;  // from the first request

// The header's value: 1..255 characters, none of them a control character. InvalidArgument
// naming the header otherwise.
Status CheckIdempotencyKey(std::string_view key);

// SHA-256 (hex) of what makes two requests "the same": method, target, Content-Type and body.
std::string RequestFingerprint(const HttpRequest& request);

// One key's record, kept as JSON in Redis ({a:<id>}:idem:<sha256 of the key>).
struct IdempotencyRecord {
  enum class State {
    kPending,    // a request with this key is being answered (or its server died: see stale)
    kDone,       // answered: `answer` is replayed to every later request with the key
    kUnsettled,  // answered 5xx after its messages went to the ledger: whether they were queued
                 // is settled from their holds; `answer` is what to replay if they were
  };
  State state = State::kPending;
  std::string fingerprint;
  int64_t claimed_ms = 0;  // when the running request claimed the key; seeds its message ids
  std::string token;       // unique per claim, so a claim is only ever replaced by its owner
  int status = 0;          // kDone, kUnsettled: the answer
  std::vector<Header> headers;  // Content-Type and Location only
  std::string body;
  std::vector<std::string> message_ids;  // kUnsettled: the messages whose fate decides
};

std::string EncodeRecord(const IdempotencyRecord& record);
// Internal when `text` is not a record this code wrote.
Result<IdempotencyRecord> DecodeRecord(std::string_view text);

// The n-th message id of the request that claimed `key_hash` of `account_id` at `claimed_ms`:
// a UUIDv7 of that time whose random bits are a hash of the four, so the ids a dead server's
// request used can be found again from its record alone. Pure.
std::string SeededMessageId(const std::string& key_hash, int64_t account_id, int64_t claimed_ms, uint32_t n);

// How a request whose outcome was not known ended, from the holds of its messages (in order).
enum class Settlement {
  kNothingQueued,  // no hold is held or charged: nothing was, or will be, sent; run it again
  kQueued,         // every hold is charged: every message is on its way; replay its answer
  kUndecided,      // some hold is still held: its message may or may not be queued
  kMixed,          // some charged, some not: neither answer is true
};
Settlement Settle(const std::vector<std::optional<Hold>>& holds);

}  // namespace smsgw::api
