#include "api/views.h"

#include <cstdio>
#include <ctime>

#include "api/problem.h"

namespace smsgw::api {
namespace {

nlohmann::json TimeOrNull(int64_t ms) { return ms > 0 ? nlohmann::json(FormatRfc3339Ms(ms)) : nlohmann::json(); }
nlohmann::json StringOrNull(const std::string& s) { return s.empty() ? nlohmann::json() : nlohmann::json(s); }

}  // namespace

std::string FormatRfc3339Ms(int64_t unix_ms) {
  int64_t secs = unix_ms / 1000;
  int64_t millis = unix_ms % 1000;
  if (millis < 0) {  // floor, for times before 1970
    millis += 1000;
    secs -= 1;
  }
  const std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis));
  return buf;
}

nlohmann::json AcceptedJson(const v1::Envelope& e) {
  nlohmann::json j = {
      {"id", e.id()},
      {"status", "accepted"},
      {"to", e.to()},
      {"encoding", EncodingName(e.encoding())},
      {"segments", e.segments()},
      {"cost", e.cost()},
      {"priority", PriorityName(e.priority())},
  };
  if (!e.client_ref().empty()) j["client_ref"] = e.client_ref();
  return j;
}

nlohmann::json BatchResultJson(const std::vector<nlohmann::json>& accepted, const std::vector<Status>& statuses) {
  nlohmann::json results = nlohmann::json::array();
  int64_t n_accepted = 0;
  int64_t total_cost = 0;
  for (size_t i = 0; i < statuses.size(); ++i) {
    nlohmann::json item;
    if (statuses[i].ok()) {
      item = accepted.at(i);
      ++n_accepted;
      total_cost += item.value("cost", int64_t{0});
    } else {
      item = {{"status", "refused"}, {"problem", ItemProblem(statuses[i])}};
    }
    item["index"] = i;
    results.push_back(std::move(item));
  }
  return {{"results", std::move(results)},
          {"accepted", n_accepted},
          {"refused", static_cast<int64_t>(statuses.size()) - n_accepted},
          {"total_cost", total_cost}};
}

nlohmann::json MessageJson(const v1::MessageRecord& r) {
  nlohmann::json j = {
      {"id", r.id()},
      {"status", StatusName(r.status())},
      {"to", r.to()},
      {"from", StringOrNull(r.from())},
      {"encoding", EncodingName(r.encoding())},
      {"segments", r.segments()},
      {"cost", r.cost()},
      {"priority", PriorityName(r.priority())},
      {"client_ref", StringOrNull(r.client_ref())},
      {"accepted_at", TimeOrNull(r.accepted_at_ms())},
      {"submitted_at", TimeOrNull(r.submitted_at_ms())},
      {"done_at", TimeOrNull(r.done_at_ms())},
  };
  if (!r.error().empty()) j["error"] = r.error();
  return j;
}

nlohmann::json PendingMessageJson(const std::string& id, v1::MessageStatus status, int64_t cost,
                                  int64_t accepted_at_ms) {
  nlohmann::json j = MessageJson(v1::MessageRecord());
  for (auto& [key, value] : j.items()) value = nullptr;
  j["id"] = id;
  j["status"] = StatusName(status);
  j["cost"] = cost;
  j["accepted_at"] = TimeOrNull(accepted_at_ms);
  return j;
}

nlohmann::json BalanceJson(int64_t account_id, const v1::BalanceReply& reply) {
  return {
      {"account_id", account_id},
      {"balance", reply.balance()},
      {"held", reply.held()},
      {"unit", "minor"},
  };
}

}  // namespace smsgw::api
