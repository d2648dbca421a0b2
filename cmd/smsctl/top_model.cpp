#include "top_model.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

namespace smsgw::smsctl {
namespace {

using Labels = std::map<std::string, std::string>;

// The sum of `name` over every daemon that exports it; nullopt when none does. A metric that
// is exported, but with no sample of these labels yet (no call has failed), is 0.
std::optional<double> Total(const TopSample& s, const std::string& name, const Labels& match = {}) {
  std::optional<double> total;
  for (const DaemonProbe& d : s.daemons) {
    if (!d.scrape) continue;
    if (auto v = d.scrape->Sum(name, match)) {
      total = total.value_or(0) + *v;
    } else if (!d.scrape->All(name).empty()) {
      total = total.value_or(0);
    }
  }
  return total;
}

struct Rates {
  const TopSample& a;
  const TopSample& b;
  double seconds;
  std::set<std::string>& missing;

  // Per second growth of a counter, or null (and the metric named as missing).
  nlohmann::json Rate(const std::string& name, const Labels& match = {}) const {
    const auto x = Total(a, name, match), y = Total(b, name, match);
    if (!x || !y) {
      missing.insert(name);
      return nullptr;
    }
    return std::round(std::max(0.0, *y - *x) / seconds * 10) / 10;
  }
};

// How a histogram's cumulative buckets grew between two samples: le -> growth (the last, +Inf,
// is the number of observations). Empty, and the metric named as missing, when no daemon
// exports it.
std::map<double, double> HistogramGrowth(const TopSample& a, const TopSample& b, const std::string& name,
                                         std::set<std::string>& missing) {
  std::map<double, double> growth;
  for (const TopSample* s : {&a, &b}) {
    for (const DaemonProbe& d : s->daemons) {
      if (!d.scrape) continue;
      for (const metrics::Sample* sample : d.scrape->All(name + "_bucket")) {
        auto le = sample->labels.find("le");
        if (le == sample->labels.end()) continue;
        char* end = nullptr;
        const double bound = le->second == "+Inf" ? HUGE_VAL : std::strtod(le->second.c_str(), &end);
        if (le->second != "+Inf" && end == le->second.c_str()) continue;
        growth[bound] += s == &a ? -sample->value : sample->value;
      }
    }
  }
  if (growth.empty()) missing.insert(name);
  return growth;
}

// The smallest bucket bound holding the q-quantile of the observations; null when none.
nlohmann::json Quantile(const std::map<double, double>& growth, double q) {
  if (growth.empty() || growth.rbegin()->second <= 0) return nullptr;
  const double total = growth.rbegin()->second;
  for (const auto& [bound, count] : growth) {
    if (count >= q * total) return std::isinf(bound) ? nlohmann::json("+Inf") : nlohmann::json(bound);
  }
  return nullptr;
}

// The share of the observations at most `bound` (a bucket bound); null when there were none,
// or no bucket has that bound.
nlohmann::json ShareWithin(const std::map<double, double>& growth, double bound) {
  if (growth.empty() || growth.rbegin()->second <= 0) return nullptr;
  for (const auto& [le, count] : growth) {
    // The bound as the text format wrote it and read back: equal up to rounding.
    if (std::abs(le - bound) < 1e-9 * std::max(1.0, bound))
      return std::round(count / growth.rbegin()->second * 1000) / 1000;
  }
  return nullptr;
}

// A gauge's value now, summed over the daemons, or null (and named) when none exports it.
nlohmann::json GaugeNow(const TopSample& s, const std::string& name, std::set<std::string>& missing) {
  const std::optional<double> v = Total(s, name);
  if (!v) missing.insert(name);
  return v ? nlohmann::json(*v) : nlohmann::json();
}

std::string Cell(const nlohmann::json& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) {
    std::ostringstream s;
    s << v.get<double>();
    return s.str();
  }
  return v.dump();
}

// Status callback attempts per second that did not deliver (any outcome but delivered).
nlohmann::json CallbackFailures(const Rates& r) {
  double total = 0;
  for (const char* outcome : {"http_error", "unreachable", "refused"}) {
    const nlohmann::json v = r.Rate("smsgw_webhook_deliveries_total", {{"outcome", outcome}});
    if (v.is_null()) return nullptr;
    total += v.get<double>();
  }
  return total;
}

}  // namespace

nlohmann::json TopFigures(const TopSample& before, const TopSample& now, const config::Config& config) {
  std::set<std::string> missing;
  const double seconds = std::max(0.001, std::chrono::duration<double>(now.at - before.at).count());
  Rates r{before, now, seconds, missing};
  nlohmann::json f;
  f["interval_s"] = std::round(seconds * 100) / 100;
  f["rates"] = {
      {"accepted_per_s", r.Rate("smsgw_api_messages_accepted_total")},
      {"submitted_per_s", r.Rate("smsgw_sched_submits_total", {{"outcome", "accepted"}})},
      {"delivered_per_s", r.Rate("smsgw_sched_receipts_total", {{"status", "delivered"}})},
      {"smpp_submit_sm_per_s", r.Rate("smsgw_smpp_submit_sm_total")},
      {"receipts_per_s", r.Rate("smsgw_smpp_receipts_total")},
      {"report_events_written_per_s", r.Rate("smsgw_report_events_written_total")},
      {"refused_per_s", r.Rate("smsgw_api_messages_refused_total")},
      {"retries_per_s", r.Rate("smsgw_sched_retries_total")},
      {"dead_letters_per_s", r.Rate("smsgw_sched_dead_letters_total")},
  };
  nlohmann::json queues = nlohmann::json::object();
  for (const QueueRow& q : now.queues.levels) {
    queues[q.level] = {
        {"length", q.length}, {"pending", q.pending}, {"lag", q.lag ? nlohmann::json(*q.lag) : nlohmann::json()}};
  }
  f["queues"] = queues;
  f["active_accounts"] = now.queues.active_accounts;
  const std::map<double, double> express = HistogramGrowth(before, now, "smsgw_sched_express_latency_seconds", missing);
  f["express"] = {{"sla_ms", config.sched.express_sla_ms},
                  {"submitted", express.empty() ? nlohmann::json() : nlohmann::json(express.rbegin()->second)},
                  {"p50_s", Quantile(express, 0.5)},
                  {"p99_s", Quantile(express, 0.99)},
                  {"within_sla", ShareWithin(express, config.sched.express_sla_ms / 1000.0)},
                  {"share", GaugeNow(now, "smsgw_sched_express_share", missing)}};
  f["report_lag_s"] = GaugeNow(now, "smsgw_report_lag_seconds", missing);
  nlohmann::json ops = nlohmann::json::array();
  for (const config::OperatorConfig& op : config.operators) {
    const Labels l{{"operator", op.name}};
    const auto in_use = Total(now, "smsgw_smpp_window_in_use", l);
    const auto bound = Total(now, "smsgw_smpp_bound", l);
    ops.push_back({{"name", op.name},
                   {"bound", bound ? nlohmann::json(*bound > 0) : nlohmann::json()},
                   {"window_in_use", in_use ? nlohmann::json(*in_use) : nlohmann::json()},
                   {"window", op.window},
                   {"tps", r.Rate("smsgw_smpp_submit_sm_total", l)},
                   {"tps_limit", op.tps}});
  }
  f["operators"] = ops;
  nlohmann::json accounts = nlohmann::json::array();
  for (const QueueRow& q : now.queues.top_accounts) {
    accounts.push_back({{"stream", q.name},
                        {"length", q.length},
                        {"oldest_s", q.oldest_age_s ? nlohmann::json(*q.oldest_age_s) : nlohmann::json()}});
  }
  f["top_accounts"] = accounts;
  f["errors_per_s"] = {
      {"api_5xx", r.Rate("smsgw_api_requests_total", {{"class", "5xx"}})},
      {"redis_connection", r.Rate("smsgw_redis_connection_errors_total")},
      {"grpc_unavailable", r.Rate("smsgw_grpc_client_calls_total", {{"code", "UNAVAILABLE"}})},
      {"smpp_timeouts", r.Rate("smsgw_smpp_timeouts_total")},
      {"report_write_failures", r.Rate("smsgw_report_write_failures_total")},
      {"callbacks_not_delivered", CallbackFailures(r)},
  };
  nlohmann::json daemons = nlohmann::json::array();
  for (const DaemonProbe& d : now.daemons)
    daemons.push_back({{"name", d.name}, {"state", d.state}, {"version", d.version}});
  f["daemons"] = daemons;
  f["missing_metrics"] = missing;
  return f;
}

std::string RenderTop(const nlohmann::json& f, int width) {
  std::ostringstream out;
  auto line = [&](std::string s) {
    if (width > 0 && static_cast<int>(s.size()) > width) s.resize(static_cast<size_t>(width));
    out << s << "\n";
  };
  std::string daemons = "daemons:";
  for (const auto& d : f["daemons"])
    daemons += " " + d["name"].get<std::string>() + " " + d["state"].get<std::string>();
  line(daemons);
  const auto& r = f["rates"];
  line("per second: accepted " + Cell(r["accepted_per_s"]) + "  refused " + Cell(r["refused_per_s"]) + "  submitted " +
       Cell(r["submitted_per_s"]) + "  delivered " + Cell(r["delivered_per_s"]) + "  | SMPP submit_sm " +
       Cell(r["smpp_submit_sm_per_s"]) + "  receipts " + Cell(r["receipts_per_s"]) + "  report events " +
       Cell(r["report_events_written_per_s"]));
  line("");
  line("queue      length   pending   lag");
  for (const char* level : {"express", "normal", "retry", "dlq", "events"}) {
    if (!f["queues"].contains(level)) continue;
    const auto& q = f["queues"][level];
    char buf[128];
    std::snprintf(buf, sizeof(buf), "%-9s %8s %9s %5s", level, Cell(q["length"]).c_str(), Cell(q["pending"]).c_str(),
                  Cell(q["lag"]).c_str());
    line(buf);
  }
  line("active accounts: " + Cell(f["active_accounts"]) + "   dead letters/s " + Cell(r["dead_letters_per_s"]) +
       "   retries/s " + Cell(r["retries_per_s"]) + "   report lag " + Cell(f["report_lag_s"]) + " s");
  const auto& e = f["express"];
  const std::string within =
      e["within_sla"].is_null() ? "-" : Cell(std::round(e["within_sla"].get<double>() * 1000) / 10);
  line("express latency p50 " + Cell(e["p50_s"]) + " s, p99 " + Cell(e["p99_s"]) + " s; SLA " +
       std::to_string(e["sla_ms"].get<int>() / 1000.0).substr(0, 4) + " s, " + within + "% within (" +
       Cell(e["submitted"]) + " submitted); express share " + Cell(e["share"]));
  line("");
  line("operator         bound  window      tps (limit)");
  for (const auto& op : f["operators"]) {
    char buf[160];
    std::snprintf(buf, sizeof(buf), "%-16s %-6s %4s/%-5s %6s (%s)", op["name"].get<std::string>().c_str(),
                  op["bound"].is_null() ? "-" : (op["bound"].get<bool>() ? "yes" : "NO"),
                  Cell(op["window_in_use"]).c_str(), Cell(op["window"]).c_str(), Cell(op["tps"]).c_str(),
                  Cell(op["tps_limit"]).c_str());
    line(buf);
  }
  line("");
  line("top accounts by backlog");
  for (const auto& a : f["top_accounts"]) {
    char buf[160];
    std::snprintf(buf, sizeof(buf), "  %-24s %8s  oldest %s s", a["stream"].get<std::string>().c_str(),
                  Cell(a["length"]).c_str(), Cell(a["oldest_s"]).c_str());
    line(buf);
  }
  const auto& err = f["errors_per_s"];
  line("");
  line("errors/s: api 5xx " + Cell(err["api_5xx"]) + "  redis " + Cell(err["redis_connection"]) +
       "  gRPC unavailable " + Cell(err["grpc_unavailable"]) + "  SMPP timeouts " + Cell(err["smpp_timeouts"]) +
       "  report writes " + Cell(err["report_write_failures"]) + "  callbacks " + Cell(err["callbacks_not_delivered"]));
  if (!f["missing_metrics"].empty()) {
    std::string m = "(-: no daemon reached exports";
    for (const auto& name : f["missing_metrics"]) m += " " + name.get<std::string>();
    line(m + ")");
  }
  return out.str();
}

}  // namespace smsgw::smsctl
