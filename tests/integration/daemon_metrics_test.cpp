// Every daemon serves Prometheus text on its metrics_listen, which Prometheus' own promtool
// accepts, with the process basics, its version and the traffic it handled; /healthz says it
// serves.
#include <gtest/gtest.h>

#include "../promtool.h"
#include "common/version.h"
#include "metrics/parse.h"
#include "stack.h"

namespace smsgw::testing {
namespace {

const char* const kDaemons[] = {"smsgw-api", "smsgw-ledger", "smsgw-sched", "smsgw-report"};

metrics::Scrape ScrapeOf(Stack& stack, const std::string& daemon, std::string* text = nullptr) {
  HttpResponse r = Http(stack.metrics_port(daemon), "GET", "/metrics");
  EXPECT_EQ(r.status, 200) << daemon;
  EXPECT_EQ(r.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  Result<std::vector<metrics::Sample>> samples = metrics::ParseExposition(r.body);
  EXPECT_TRUE(samples.ok()) << daemon << ": " << samples.status().ToString();
  if (text != nullptr) *text = r.body;
  return samples.ok() ? metrics::Scrape(*samples) : metrics::Scrape();
}

TEST(DaemonMetricsTest, EveryDaemonExportsMetricsThatPromtoolAccepts) {
  Stack stack;
  const std::string key = stack.CreateFundedAccount("metrics", 10, 100).second;
  HttpResponse sent = stack.Api("POST", "/v1/messages", R"({"to":"+989121234567","text":"counted"})", key);
  ASSERT_EQ(sent.status, 202) << sent.body;
  const std::string id = sent.Json().at("id").get<std::string>();
  ASSERT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, id) == "delivered"; }));

  for (const char* daemon : kDaemons) {
    std::string text;
    metrics::Scrape scrape = ScrapeOf(stack, daemon, &text);
    auto [code, out] = Promtool(text);
    EXPECT_EQ(code, 0) << daemon << ": promtool says\n" << out;
    EXPECT_EQ(scrape.Sum("smsgw_build_info", {{"program", daemon}, {"version", kVersion}}), 1.0) << daemon;
    EXPECT_GT(scrape.Sum("process_start_time_seconds").value_or(0), 1.7e9) << daemon;
    EXPECT_GT(scrape.Sum("process_resident_memory_bytes").value_or(0), 0) << daemon;
    EXPECT_GT(scrape.Sum("smsgw_redis_round_trips_total").value_or(0), 0) << daemon;
    EXPECT_GT(scrape.Sum("smsgw_redis_round_trip_seconds_count").value_or(0), 0) << daemon;
  }
  // The message went through each daemon, and each counted its part.
  EXPECT_GE(ScrapeOf(stack, "smsgw-ledger").Sum("smsgw_grpc_server_calls_total", {{"method", "Ledger/DebitBatch"}, {"code", "OK"}}).value_or(0), 1);
  EXPECT_GE(ScrapeOf(stack, "smsgw-api").Sum("smsgw_grpc_client_calls_total", {{"method", "Ledger/DebitBatch"}, {"code", "OK"}}).value_or(0), 1);
  EXPECT_GE(ScrapeOf(stack, "smsgw-ledger").Sum("smsgw_pg_transactions_total", {{"result", "commit"}}).value_or(0), 1);
  EXPECT_GE(ScrapeOf(stack, "smsgw-sched").Sum("smsgw_grpc_client_calls_total", {{"method", "Ledger/CaptureBatch"}}).value_or(0), 1);
  metrics::Scrape sched = ScrapeOf(stack, "smsgw-sched");
  EXPECT_GE(sched.Sum("smsgw_smpp_submit_sm_total", {{"operator", "sim"}}).value_or(0), 1);
  EXPECT_GE(sched.Sum("smsgw_smpp_receipts_total", {{"operator", "sim"}}).value_or(0), 1);
  EXPECT_EQ(sched.Sum("smsgw_smpp_bound", {{"operator", "sim"}}), 1.0);
  EXPECT_EQ(sched.Sum("smsgw_smpp_window_size", {{"operator", "sim"}}), 10.0);
  EXPECT_GE(ScrapeOf(stack, "smsgw-report").Sum("smsgw_report_events_written_total").value_or(0), 3);  // accepted, submitted, delivered
}

TEST(DaemonMetricsTest, HealthzSaysEachDaemonServesWithItsVersion) {
  Stack stack;
  for (const char* daemon : kDaemons) {
    HttpResponse r = Http(stack.metrics_port(daemon), "GET", "/healthz");
    EXPECT_EQ(r.status, 200) << daemon << ": " << r.body;
    nlohmann::json j = r.Json();
    EXPECT_EQ(j.at("status"), "ok") << daemon;
    EXPECT_EQ(j.at("program"), daemon);
    EXPECT_EQ(j.at("version"), kVersion);
    EXPECT_EQ(Http(stack.metrics_port(daemon), "GET", "/nothing").status, 404);
  }
}

TEST(DaemonMetricsTest, AnAddressThatCannotBeBoundStopsTheStart) {
  Stack stack(Stack::LedgerOnly());
  // The running ledger holds its metrics port: a second ledger on the same config cannot bind it.
  CommandResult r = RunCommand({Stack::BinaryPath("smsgw-ledger"), "--config", stack.config_path()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("metrics_listen"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace smsgw::testing
