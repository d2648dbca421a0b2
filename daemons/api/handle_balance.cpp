// GET /v1/balance: the caller's spendable and held amounts, from smsgw-ledger.
#include "api/dependency_monitor.h"
#include "api/handlers.h"
#include "api/problem.h"
#include "api/views.h"

namespace smsgw::api {

HttpResponse HandleBalance(const ApiDeps& deps, const Call& call) {
  Result<v1::BalanceReply> reply = deps.ledger->GetBalance(call.account->id);
  if (!reply.ok()) return DependencyFailed(reply.status());
  switch (reply->result()) {
    case v1::LEDGER_OK:
    case v1::LEDGER_ACCOUNT_DISABLED:  // disabled accounts are refused at auth; a race is harmless
      return JsonResponse(200, BalanceJson(call.account->id, *reply));
    case v1::LEDGER_ACCOUNT_UNKNOWN:
      if (deps.monitor != nullptr && !deps.monitor->Last().loaded) {  // Redis being reloaded (M12)
        return DependencyFailed(Status::Unavailable("ledger: account unknown while Redis is reloaded"));
      }
      deps.auth->Forget(call.account->key_hash);
      return ProblemResponse(Status::Unauthenticated("unknown account"));
    default:
      return ProblemResponse(Status::Internal("ledger GetBalance: " + v1::LedgerResult_Name(reply->result())));
  }
}

}  // namespace smsgw::api
