#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "proto/smsgw.pb.h"
#include "redis/redis.h"

// What smsgw-ledger's hold of a message says, for the API's readers: GET /v1/messages/{id}
// while smsgw-report has not caught up (review m3, m4), and Idempotency-Key retries whose
// first answer was a 5xx (review m5). Where holds are kept and how their values read belong to
// the ledger (lib/keys); ReadHolds and ParseHold are the only places here that know it.
namespace smsgw::api {

enum class HoldState { kHeld, kCharged, kRefunded, kExpired };

struct Hold {
  HoldState state = HoldState::kHeld;
  int64_t cost = 0;
};

// A hold's stored value (keys::ParseHold); nullopt when it is not one, or a refund's tombstone.
std::optional<Hold> ParseHold(std::string_view value);

// The holds of `message_ids`, all of one account, in order (nullopt: no hold, or a value that
// does not parse), looked up where the ledger keeps them at `now_ms` with its hold retention
// (keys::HoldReads). One round trip. Unavailable (or Internal) when Redis fails.
Result<std::vector<std::optional<Hold>>> ReadHolds(redis::Connection& conn, int64_t account_id,
                                                   const std::vector<std::string>& message_ids, int64_t now_ms,
                                                   int64_t retention_ms);

// The status to show for a message: `reported` (what smsgw-report knows; STATUS_UNSPECIFIED when
// it has no row) raised to the lowest status the hold implies, so a read never shows less than
// the money says (DESIGN.md section 2 ranks): held -> accepted; charged -> submitted (the
// scheduler captures just before it submits); expired -> expired; refunded -> canceled if the
// message was never reported submitted (refunded before sending), else failed (refunded after
// its last attempt). A final reported status is kept as it is. Pure.
v1::MessageStatus ShownStatus(v1::MessageStatus reported, std::optional<Hold> hold);

}  // namespace smsgw::api
