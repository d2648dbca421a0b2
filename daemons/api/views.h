#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

#include "proto/names.h"
#include "proto/smsgw.pb.h"

// The JSON bodies of successful answers, built from the protobufs. Pure functions.
namespace smsgw::api {

// "2024-05-01T12:34:56.789Z" (RFC 3339, UTC, milliseconds).
std::string FormatRfc3339Ms(int64_t unix_ms);

// 202 body of POST /v1/messages: id, status "accepted", to, encoding, segments, cost, priority,
// and client_ref when one was given.
nlohmann::json AcceptedJson(const v1::Envelope& envelope);

// 200 body of POST /v1/messages/batch: {"results":[...], "accepted", "refused", "total_cost"}.
// Item i is accepted[i] (an AcceptedJson) with "index" added when statuses[i] is OK, else
// {"index", "status":"refused", "problem": ItemProblem(statuses[i])}.
nlohmann::json BatchResultJson(const std::vector<nlohmann::json>& accepted, const std::vector<Status>& statuses);

// 200 body of GET /v1/messages/{id}. Times are RFC 3339 or null when not reached; from and
// client_ref are null when empty; "error" is present only when set.
nlohmann::json MessageJson(const v1::MessageRecord& record);

// 200 body for a message smsgw-report has not written yet (or while it is down): the same keys
// as MessageJson, with what the ledger's hold knows (the status it implies, the cost) and the
// time in the id; the rest null.
nlohmann::json PendingMessageJson(const std::string& id, v1::MessageStatus status, int64_t cost,
                                  int64_t accepted_at_ms);

// 200 body of GET /v1/balance.
nlohmann::json BalanceJson(int64_t account_id, const v1::BalanceReply& reply);

}  // namespace smsgw::api
