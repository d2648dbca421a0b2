// GET /v1/messages: one page of the caller's messages, newest first, from smsgw-report.
#include "api/handlers.h"
#include "api/problem.h"
#include "api/query_params.h"
#include "api/report_params.h"
#include "api/views.h"

namespace smsgw::api {
namespace {

constexpr int kMaxLimit = 1000;
constexpr int kDefaultLimit = 100;
constexpr size_t kMaxFilterBytes = 256;

// An E.164 number: '+' then 1 to 15 digits.
bool IsE164(std::string_view s) {
  if (s.size() < 2 || s.size() > 16 || s[0] != '+') return false;
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

Result<v1::ListMessagesRequest> ListRequest(const Call& call) {
  Result<QueryParams> params =
      QueryParams::Parse(call.request.target, {"limit", "cursor", "status", "since", "until", "to", "client_ref"});
  if (!params.ok()) return params.status();
  v1::ListMessagesRequest req;
  req.set_account_id(call.account->id);
  Result<int64_t> limit = IntParam(*params, "limit", kDefaultLimit, 1, kMaxLimit);
  if (!limit.ok()) return limit.status();
  req.set_limit(static_cast<int32_t>(*limit));
  if (std::optional<std::string> cursor = params->Get("cursor")) {
    if (cursor->empty()) return Status::InvalidArgument("cursor: must not be empty");
    req.set_cursor(*cursor);  // smsgw-report checks it ("cursor: ...")
  }
  if (Status s = SetStatusAndTimeFilters(*params, &req); !s.ok()) return s;
  if (std::optional<std::string> to = params->Get("to")) {
    if (!IsE164(*to)) return Status::InvalidArgument("to: must be an E.164 number, '+' and up to 15 digits");
    req.set_to(*to);
  }
  if (std::optional<std::string> ref = params->Get("client_ref")) {
    if (ref->empty() || ref->size() > kMaxFilterBytes) {
      return Status::InvalidArgument("client_ref: must be 1 to " + std::to_string(kMaxFilterBytes) + " bytes");
    }
    req.set_client_ref(*ref);
  }
  return req;
}

}  // namespace

HttpResponse HandleListMessages(const ApiDeps& deps, const Call& call) {
  Result<v1::ListMessagesRequest> req = ListRequest(call);
  if (!req.ok()) return ProblemResponse(req.status());
  Result<v1::ListMessagesReply> page = deps.report->ListMessages(*req);
  if (!page.ok()) {
    if (page.status().code() == ErrorCode::kInvalidArgument) return ProblemResponse(page.status());
    return DependencyFailed(page.status());
  }
  nlohmann::json messages = nlohmann::json::array();
  for (const v1::MessageRecord& m : page->messages()) messages.push_back(MessageJson(m));
  return JsonResponse(200, {{"messages", std::move(messages)},
                            {"next_cursor", page->next_cursor().empty() ? nlohmann::json()
                                                                        : nlohmann::json(page->next_cursor())}});
}

}  // namespace smsgw::api
