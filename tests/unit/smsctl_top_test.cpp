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

TEST(SmsctlTopTest, RatesQuantilesAndMissingMetrics) {
  config::Config config;
  config.sched.express_sla_ms = 5000;
  config.operators.push_back({});
  config.operators[0].name = "mci";
  config.operators[0].window = 20;
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
  EXPECT_NE(screen.find("not exported yet: "), std::string::npos) << screen;
}

}  // namespace
}  // namespace smsgw::smsctl
