// GET /v1/messages/{id}: one message of the caller's account, as smsgw-report knows it.
#include <cctype>

#include "api/handlers.h"
#include "api/problem.h"
#include "sms/uuid7.h"
#include "api/views.h"

namespace smsgw::api {

HttpResponse HandleGetMessage(const ApiDeps& deps, const Call& call) {
  const std::string& raw = call.params.at(0);
  if (!sms::IsUuid(raw)) return ProblemResponse(Status::InvalidArgument("id: not a message id (a UUID)"));
  std::string id;  // ids are issued in lowercase
  for (char c : raw) id.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));

  Result<v1::MessageRecord> record = deps.report->GetMessage(call.account->id, id);
  if (!record.ok()) {
    if (record.status().code() == ErrorCode::kNotFound) {
      return ProblemResponse(Status::NotFound("no message " + id));
    }
    return DependencyFailed(record.status());
  }
  return JsonResponse(200, MessageJson(*record));
}

}  // namespace smsgw::api
