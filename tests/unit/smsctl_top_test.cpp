// smsctl top's figures from two samples: rates from counters' growth, quantiles from histogram
// buckets, and "-" (null, named as missing) where no daemon exports the metric.
#include <gtest/gtest.h>

#include "top_model.h"

namespace smsgw::smsctl {
namespace {

DaemonProbe Daemon(const std::string& name, const std::string& text) {
  DaemonProbe d{name, "127.0.0.1:1", "ok", "0.1.0", "", std::nullopt};
  Result<std::vector<metrics::Sample>> s = metrics::ParseExposition(text);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  d.scrape = metrics::Scrape(*s);
  return d;
}

TopSample At(double seconds, const std::string& sched_metrics) {
  TopSample s;
  s.at = std::chrono::steady_clock::time_point(std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000)));
  s.queues.levels = {{"q:express", "express", 7, 2, 0, 1.5}, {"normal (1 accounts)", "normal", 40, 0, 0, std::nullopt}};
  s.queues.top_accounts = {{"{a:9}:q", "normal", 40, 0, 0, 3.0}};
  s.queues.active_accounts = 1;
  s.daemons = {Daemon("smsgw-sched", sched_metrics)};
  return s;
}

// An express SLA of 5 s and one operator, mci, with a window of 20.
config::Config MciConfig() {
  config::Config config;
  config.sched.express_sla_ms = 5000;
  config.operators.push_back({});
  config.operators[0].name = "mci";
  config.operators[0].window = 20;
  return config;
}

TEST(SmsctlTopTest, RatesQuantilesAndMissingMetrics) {
  config::Config config = MciConfig();
  const TopSample a = At(10, R"(smsgw_smpp_submit_sm_total{operator="mci"} 100
smsgw_grpc_client_calls_total{method="Ledger/DebitBatch",code="OK"} 5
smsgw_smpp_window_in_use{operator="mci"} 3
smsgw_sched_express_latency_seconds_bucket{le="0.5"} 10
smsgw_sched_express_latency_seconds_bucket{le="1"} 10
smsgw_sched_express_latency_seconds_bucket{le="+Inf"} 10
)");
  const TopSample b = At(12, R"(smsgw_smpp_submit_sm_total{operator="mci"} 300
smsgw_grpc_client_calls_total{method="Ledger/DebitBatch",code="OK"} 9
smsgw_smpp_window_in_use{operator="mci"} 20
smsgw_smpp_bound{operator="mci"} 1
smsgw_sched_express_latency_seconds_bucket{le="0.5"} 60
smsgw_sched_express_latency_seconds_bucket{le="1"} 109
smsgw_sched_express_latency_seconds_bucket{le="+Inf"} 110
)");
  const nlohmann::json f = TopFigures(a, b, config);
  EXPECT_EQ(f["rates"]["smpp_submit_sm_per_s"], 100.0);  // 200 in 2 s
  EXPECT_EQ(f["operators"][0]["tps"], 100.0);
  EXPECT_EQ(f["operators"][0]["window_in_use"], 20.0);
  EXPECT_EQ(f["operators"][0]["window"], 20);
  EXPECT_EQ(f["operators"][0]["bound"], true);
  EXPECT_EQ(f["express"]["p50_s"], 0.5);  // 50 of 100 new observations were <= 0.5 s
  EXPECT_EQ(f["express"]["p99_s"], 1.0);
  EXPECT_EQ(f["queues"]["express"]["length"], 7);
  EXPECT_EQ(f["top_accounts"][0]["stream"], "{a:9}:q");
  EXPECT_TRUE(f["rates"]["accepted_per_s"].is_null());
  EXPECT_EQ(f["errors_per_s"]["grpc_unavailable"], 0.0);  // exported, nothing failed yet
  const auto& missing = f["missing_metrics"];
  EXPECT_NE(std::find(missing.begin(), missing.end(), "smsgw_api_messages_accepted_total"), missing.end()) << missing;
  EXPECT_EQ(std::find(missing.begin(), missing.end(), "smsgw_smpp_submit_sm_total"), missing.end()) << missing;

  const std::string screen = RenderTop(f, 0);
  EXPECT_NE(screen.find("accepted -"), std::string::npos) << screen;
  EXPECT_NE(screen.find("mci"), std::string::npos) << screen;
  EXPECT_NE(screen.find("express latency p50 0.5 s, p99 1 s; SLA 5.00 s"), std::string::npos) << screen;
  EXPECT_NE(screen.find("no daemon reached exports "), std::string::npos) << screen;
}

// One scrape of the four daemons as they export every figure of the live view; `step` 0 or 1
// (2 s later): counters grow by their second argument per step.
std::vector<DaemonProbe> Daemons(int step) {
  auto line = [step](const std::string& sample, double base, double per_step) {
    return sample + " " + std::to_string(base + per_step * step) + "\n";
  };
  const std::string op = "operator=\"mci\"";
  std::string api = line("smsgw_api_messages_accepted_total{priority=\"normal\"}", 1000, 180) +
                    line("smsgw_api_messages_accepted_total{priority=\"express\"}", 10, 20) +
                    line("smsgw_api_messages_refused_total{code=\"insufficient_funds\"}", 5, 4) +
                    line("smsgw_api_requests_total{route=\"POST /v1/messages\",code=\"503\",class=\"5xx\"}", 0, 2);
  std::string sched = line("smsgw_sched_submits_total{" + op + ",outcome=\"accepted\"}", 900, 190) +
                      line("smsgw_sched_receipts_total{" + op + ",status=\"delivered\"}", 800, 170) +
                      line("smsgw_sched_retries_total{reason=\"timeout\"}", 3, 6) +
                      line("smsgw_sched_dead_letters_total{reason=\"rejected\"}", 1, 2) +
                      line("smsgw_smpp_submit_sm_total{" + op + "}", 950, 200) +
                      line("smsgw_smpp_receipts_total{" + op + "}", 800, 170) +
                      line("smsgw_smpp_timeouts_total{" + op + "}", 1, 2) +
                      line("smsgw_smpp_window_in_use{" + op + "}", 12, 0) + line("smsgw_smpp_bound{" + op + "}", 1, 0) +
                      line("smsgw_sched_express_share", 0.25, 0) +
                      // 20 express messages per step: 10 within 1 s, 19 within the 5 s SLA.
                      line("smsgw_sched_express_latency_seconds_bucket{le=\"1\"}", 0, 10) +
                      line("smsgw_sched_express_latency_seconds_bucket{le=\"3.5\"}", 0, 18) +
                      line("smsgw_sched_express_latency_seconds_bucket{le=\"5\"}", 0, 19) +
                      line("smsgw_sched_express_latency_seconds_bucket{le=\"+Inf\"}", 0, 20);
  std::string report = line("smsgw_report_events_written_total", 3000, 600) + line("smsgw_report_lag_seconds", 0.4, 0) +
                       line("smsgw_report_write_failures_total", 0, 0) +
                       line("smsgw_webhook_deliveries_total{outcome=\"delivered\"}", 10, 10) +
                       line("smsgw_webhook_deliveries_total{outcome=\"http_error\"}", 0, 2) +
                       line("smsgw_webhook_deliveries_total{outcome=\"unreachable\"}", 0, 0) +
                       line("smsgw_webhook_deliveries_total{outcome=\"refused\"}", 0, 0);
  std::string ledger = line("smsgw_redis_connection_errors_total", 0, 0) +
                       line("smsgw_grpc_client_calls_total{method=\"Ledger/DebitBatch\",code=\"OK\"}", 1, 0);
  return {Daemon("smsgw-api", api), Daemon("smsgw-sched", sched), Daemon("smsgw-report", report),
          Daemon("smsgw-ledger", ledger)};
}

TEST(SmsctlTopTest, EveryFigureOfTheLiveViewFromTheDaemonsMetrics) {
  config::Config config = MciConfig();
  config.operators[0].tps = 150;
  TopSample a = At(10, "");
  TopSample b = At(12, "");
  a.daemons = Daemons(0);
  b.daemons = Daemons(1);
  const nlohmann::json f = TopFigures(a, b, config);
  EXPECT_EQ(f["rates"]["accepted_per_s"], 100.0);  // 180 normal + 20 express in 2 s
  EXPECT_EQ(f["rates"]["refused_per_s"], 2.0);
  EXPECT_EQ(f["rates"]["submitted_per_s"], 95.0);
  EXPECT_EQ(f["rates"]["delivered_per_s"], 85.0);
  EXPECT_EQ(f["rates"]["retries_per_s"], 3.0);
  EXPECT_EQ(f["rates"]["dead_letters_per_s"], 1.0);
  EXPECT_EQ(f["rates"]["report_events_written_per_s"], 300.0);
  EXPECT_EQ(f["queues"]["normal"]["length"], 40);
  EXPECT_EQ(f["express"]["submitted"], 20.0);
  EXPECT_EQ(f["express"]["p50_s"], 1.0);
  EXPECT_EQ(f["express"]["p99_s"], "+Inf");
  EXPECT_EQ(f["express"]["within_sla"], 0.95);
  EXPECT_EQ(f["express"]["share"], 0.25);
  EXPECT_EQ(f["report_lag_s"], 0.4);
  EXPECT_EQ(f["operators"][0]["tps"], 100.0);
  EXPECT_EQ(f["operators"][0]["window_in_use"], 12.0);
  EXPECT_EQ(f["operators"][0]["tps_limit"], 150);
  EXPECT_EQ(f["errors_per_s"]["api_5xx"], 1.0);
  EXPECT_EQ(f["errors_per_s"]["smpp_timeouts"], 1.0);
  EXPECT_EQ(f["errors_per_s"]["callbacks_not_delivered"], 1.0);
  EXPECT_EQ(f["errors_per_s"]["grpc_unavailable"], 0.0);
  EXPECT_TRUE(f["missing_metrics"].empty()) << f["missing_metrics"];

  const std::string screen = RenderTop(f, 0);
  EXPECT_NE(screen.find("per second: accepted 100  refused 2  submitted 95  delivered 85"), std::string::npos)
      << screen;
  EXPECT_NE(screen.find("dead letters/s 1   retries/s 3   report lag 0.4 s"), std::string::npos) << screen;
  EXPECT_NE(screen.find("SLA 5.00 s, 95% within (20 submitted); express share 0.25"), std::string::npos) << screen;
  EXPECT_NE(screen.find("callbacks 1"), std::string::npos) << screen;
  EXPECT_EQ(screen.find("no daemon reached exports"), std::string::npos) << screen;
}

}  // namespace
}  // namespace smsgw::smsctl
