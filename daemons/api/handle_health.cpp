// GET /healthz and GET /readyz: for load balancers and systemd checks; no API key.
#include "api/handlers.h"
#include "api/problem.h"

namespace smsgw::api {

HttpResponse HandleHealthz(const ApiDeps&, const Call&) { return JsonResponse(200, {{"status", "ok"}}); }

HttpResponse HandleReadyz(const ApiDeps& deps, const Call&) {
  redis::Pool::Lease conn = deps.pool->Acquire();
  Result<redis::Reply> pong = conn->Run({"PING"});
  if (!pong.ok()) {
    HttpResponse r = ProblemResponse(KindFor(ErrorCode::kUnavailable), "redis is unreachable");
    r.log_detail = pong.status().ToString();
    return r;
  }
  return JsonResponse(200, {{"status", "ready"}});
}

}  // namespace smsgw::api
