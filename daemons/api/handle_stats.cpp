// GET /v1/stats?days=N: the caller's counts and cost per status, per UTC day and (for the
// last 24 hours) per hour, from smsgw-report's aggregate.
#include <map>

#include "api/handlers.h"
#include "api/problem.h"
#include "api/query_params.h"
#include "common/rfc3339.h"
#include "proto/names.h"

namespace smsgw::api {
namespace {

constexpr int64_t kMsPerHour = 3'600'000;
constexpr int64_t kMsPerDay = 24 * kMsPerHour;
constexpr int kDefaultDays = 7;
constexpr int kMaxDays = 366;

// One period (a day or an hour): totals and the split by status. Every period of the range
// is present, zeros included, so a chart needs no gaps filled.
nlohmann::json Periods(const google::protobuf::RepeatedPtrField<v1::StatsRow>& rows, int64_t first_ms,
                       int64_t step_ms, int count, const char* key, bool date_only) {
  std::map<int64_t, nlohmann::json> by_start;
  for (int i = 0; i < count; ++i) {
    const int64_t start = first_ms + i * step_ms;
    std::string label = FormatRfc3339Ms(start);
    if (date_only) label.resize(10);
    by_start[start] = {{key, label}, {"messages", 0}, {"cost", 0}, {"by_status", nlohmann::json::object()}};
  }
  for (const v1::StatsRow& r : rows) {
    auto it = by_start.find(r.start_ms());
    if (it == by_start.end()) continue;
    nlohmann::json& p = it->second;
    p["messages"] = p["messages"].get<int64_t>() + r.messages();
    p["cost"] = p["cost"].get<int64_t>() + r.cost();
    p["by_status"][std::string(StatusName(r.status()))] = {{"messages", r.messages()}, {"cost", r.cost()}};
  }
  nlohmann::json out = nlohmann::json::array();
  for (auto& [start, p] : by_start) out.push_back(std::move(p));
  return out;
}

}  // namespace

HttpResponse HandleStats(const ApiDeps& deps, const Call& call) {
  Result<QueryParams> params = QueryParams::Parse(call.request.target, {"days"});
  if (!params.ok()) return ProblemResponse(params.status());
  Result<int64_t> days = IntParam(*params, "days", kDefaultDays, 1, kMaxDays);
  if (!days.ok()) return ProblemResponse(days.status());
  v1::StatsRequest req;
  req.set_account_id(call.account->id);
  req.set_days(static_cast<int32_t>(*days));
  // The range smsgw-report answers for (reads.h GetStats); its clock and ours agree to well
  // under an hour, and a row outside the range is left out rather than misplaced.
  const int64_t now = deps.now_ms();
  Result<v1::StatsReply> stats = deps.report->GetStats(req);
  if (!stats.ok()) {
    if (stats.status().code() == ErrorCode::kInvalidArgument) return ProblemResponse(stats.status());
    return DependencyFailed(stats.status());
  }
  const int64_t first_day = (now / kMsPerDay - (*days - 1)) * kMsPerDay;
  const int64_t first_hour = (now / kMsPerHour - 23) * kMsPerHour;
  return JsonResponse(200, {{"days", Periods(stats->days(), first_day, kMsPerDay, static_cast<int>(*days), "date", true)},
                            {"hours", Periods(stats->hours(), first_hour, kMsPerHour, 24, "hour", false)}});
}

}  // namespace smsgw::api
