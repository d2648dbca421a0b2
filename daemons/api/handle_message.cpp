// GET /v1/messages/{id}: one message of the caller's account, as smsgw-report knows it, never
// shown lower than the ledger's hold implies (reviews M10, m3, m4).
#include <cctype>
#include <optional>

#include "api/handlers.h"
#include "api/hold_state.h"
#include "api/problem.h"
#include "api/views.h"
#include "proto/names.h"
#include "sms/uuid7.h"

namespace smsgw::api {
namespace {

// The hold of one message (nullopt: none, or Redis failed; the report's answer stands then).
std::optional<Hold> HoldOf(const ApiDeps& deps, int64_t account_id, const std::string& id) {
  redis::Pool::Lease conn = deps.pool->Acquire();
  Result<std::vector<std::optional<Hold>>> holds = ReadHolds(*conn, account_id, {id}, deps.now_ms(), deps.hold_retention_ms);
  return holds.ok() ? holds->at(0) : std::nullopt;
}

}  // namespace

HttpResponse HandleGetMessage(const ApiDeps& deps, const Call& call) {
  std::string id;  // ids are issued in lowercase
  for (char c : call.params.at(0)) id.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  // Every message id is a UUIDv7: anything else cannot be one of the caller's messages (M10).
  const Result<int64_t> accepted_ms = sms::UuidV7TimeMs(id);
  const Status not_found = Status::NotFound("no message " + call.params.at(0));
  if (!accepted_ms.ok()) return ProblemResponse(not_found);

  Result<v1::MessageRecord> record = deps.report->GetMessage(call.account->id, id);
  const ErrorCode code = record.status().code();
  if (record.ok()) {
    // smsgw-report writes in batches: the hold may already know better (m3).
    if (v1::StatusRank(record->status()) < 3) {
      record->set_status(ShownStatus(record->status(), HoldOf(deps, call.account->id, id)));
    }
    return JsonResponse(200, MessageJson(*record));
  }
  if (code != ErrorCode::kNotFound && code != ErrorCode::kUnavailable && code != ErrorCode::kInvalidArgument) {
    return DependencyFailed(record.status());
  }
  // Not written yet, or smsgw-report is down: the hold (per account, so no other account's id
  // can match) proves the message and bounds its status from below.
  const std::optional<Hold> hold = HoldOf(deps, call.account->id, id);
  if (hold) {
    const v1::MessageStatus status = ShownStatus(v1::STATUS_UNSPECIFIED, hold);
    return JsonResponse(200, PendingMessageJson(id, status, hold->cost, *accepted_ms));
  }
  if (code == ErrorCode::kUnavailable) return DependencyFailed(record.status());
  return ProblemResponse(not_found);
}

}  // namespace smsgw::api
