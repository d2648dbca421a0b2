#include "common/time.h"
#include "api/handlers.h"
#include "api/problem.h"
#include "sms/uuid7.h"
#include "api/views.h"

namespace smsgw::api {

SendDeps MakeSendDeps(const config::ApiConfig& config, redis::Pool& pool, rpc::LedgerClient& ledger) {
  SendDeps d;
  d.debit = [&ledger](const v1::DebitRequest& req) { return ledger.Debit(req); };
  d.refund = [&ledger](int64_t account_id, const std::string& id, const std::string& reason) {
    return ledger.Refund(account_id, id, reason);
  };
  d.pipeline = [&pool](const std::vector<redis::Command>& cmds) {
    redis::Pool::Lease conn = pool.Acquire();
    return conn->Pipeline(cmds);
  };
  d.new_id = [] { return sms::NewUuidV7(); };
  d.now_ms = [] { return NowMs(); };
  d.default_region = config.default_region;
  d.hold_ttl_s = config.hold_ttl_s;
  return d;
}

HttpResponse HandleSendMessage(const ApiDeps& deps, const Call& call) {
  if (!IsJsonContentType(call.request.Get("Content-Type"))) {
    return ProblemResponse(kUnsupportedMediaType, "Content-Type must be application/json");
  }
  Result<nlohmann::json> body = ParseJsonObject(call.request.body);
  if (!body.ok()) return ProblemResponse(kInvalidJson, body.status().message());
  Result<SendRequest> req = ParseSendRequest(*body);
  if (!req.ok()) return ProblemResponse(req.status());

  Result<v1::Envelope> sent = SendMessage(deps.send, *call.account, *req);
  if (!sent.ok()) {
    const ErrorCode code = sent.status().code();
    // The ledger knows better than our cache: make the next request look the key up again.
    if (code == ErrorCode::kPermissionDenied || code == ErrorCode::kUnauthenticated) {
      deps.auth->Forget(call.account->key_hash);
    }
    return ProblemResponse(sent.status());
  }
  HttpResponse r = JsonResponse(202, AcceptedJson(*sent));
  r.Set("Location", "/v1/messages/" + sent->id());
  return r;
}

}  // namespace smsgw::api
