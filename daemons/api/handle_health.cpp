// GET /healthz and GET /readyz: for load balancers and systemd checks; no API key. Neither
// waits on a dependency: /readyz answers from DependencyMonitor's last round (review m16).
#include "api/dependency_monitor.h"
#include "api/handlers.h"
#include "api/problem.h"

namespace smsgw::api {

HttpResponse HandleHealthz(const ApiDeps&, const Call&) { return JsonResponse(200, {{"status", "ok"}}); }

HttpResponse HandleReadyz(const ApiDeps& deps, const Call&) {
  const DependencyReport r = deps.monitor->Last();
  const nlohmann::json checks = {
      {"redis", !r.redis ? "down" : r.loaded ? "up" : "not loaded"},
      {"ledger", r.ledger ? "up" : "down"},
      {"report", r.report ? "up" : "down"},
      {"express_backlog", r.express_backlog},
      {"report_backlog", r.report_backlog},
  };
  if (Status ready = deps.monitor->Ready(); !ready.ok()) {
    // The detail names the dependency; its error (addresses, replies) only goes to the log.
    const std::string what = !r.redis    ? "redis is down"
                             : !r.loaded ? "redis is not loaded yet"
                             : !r.ledger ? "smsgw-ledger is down"
                                         : "smsgw-report is down";
    HttpResponse problem = ProblemResponse(KindFor(ErrorCode::kUnavailable), "not ready: " + what);
    problem.log_detail = ready.message();
    nlohmann::json body = nlohmann::json::parse(problem.body);
    body["checks"] = checks;
    problem.body = body.dump();
    return problem;
  }
  return JsonResponse(200, {{"status", "ready"}, {"checks", checks}});
}

}  // namespace smsgw::api
