// GET /v1/messages/{id}: one message of the caller's account, as smsgw-report knows it.
#include <cctype>
#include <optional>

#include "api/handlers.h"
#include "api/problem.h"
#include "api/views.h"
#include "keys/keys.h"
#include "sms/uuid7.h"

namespace smsgw::api {
namespace {

// smsgw-report writes statuses in batches, so for a moment after the 202 the message is only
// known to the ledger: its hold (per account, so no other account's id can match) proves it
// was accepted. Returns the hold's cost, or nothing.
std::optional<int64_t> HeldCost(const ApiDeps& deps, int64_t account_id, const std::string& id) {
  auto conn = deps.pool->Acquire();
  Result<std::vector<redis::Reply>> found =
      conn->Pipeline(keys::HoldReads(account_id, {id}, deps.now_ms(), deps.hold_retention_ms));
  if (!found.ok()) return std::nullopt;
  for (const redis::Reply& r : *found) {
    if (r.elements.size() != 1 || r.elements[0].type != redis::Reply::Type::kString) continue;
    std::optional<keys::Hold> hold = keys::ParseHold(r.elements[0].str);
    if (hold && hold->state != "void") return hold->cost;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

HttpResponse HandleGetMessage(const ApiDeps& deps, const Call& call) {
  const std::string& raw = call.params.at(0);
  if (!sms::IsUuid(raw)) return ProblemResponse(Status::InvalidArgument("id: not a message id (a UUID)"));
  std::string id;  // ids are issued in lowercase
  for (char c : raw) id.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));

  Result<v1::MessageRecord> record = deps.report->GetMessage(call.account->id, id);
  if (!record.ok()) {
    // Not written yet, or smsgw-report is down: a hold still proves the message was accepted.
    const ErrorCode code = record.status().code();
    if (code == ErrorCode::kNotFound || code == ErrorCode::kUnavailable) {
      if (std::optional<int64_t> cost = HeldCost(deps, call.account->id, id)) {
        Result<int64_t> accepted_ms = sms::UuidV7TimeMs(id);
        return JsonResponse(200, PendingMessageJson(id, *cost, accepted_ms.ok() ? *accepted_ms : 0));
      }
    }
    if (code == ErrorCode::kNotFound) return ProblemResponse(Status::NotFound("no message " + id));
    return DependencyFailed(record.status());
  }
  return JsonResponse(200, MessageJson(*record));
}

}  // namespace smsgw::api
