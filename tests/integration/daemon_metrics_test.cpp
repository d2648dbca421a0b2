// Every daemon serves Prometheus text on its metrics_listen, which Prometheus' own promtool
// accepts, with the process basics, its version and the traffic it handled; /healthz says it
// serves.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "../promtool.h"
#include "common/version.h"
#include "metrics/parse.h"
#include "stack.h"
#include "webhook_receiver.h"

namespace smsgw::testing {
namespace {

const char* const kDaemons[] = {"smsgw-api", "smsgw-ledger", "smsgw-sched", "smsgw-report"};
using Labels = std::map<std::string, std::string>;

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

// The daemons' own figures after real traffic: accepted, refused, delivered, a retry, a dead
// letter and status callbacks, each counted once with its labels; the output still passes
// promtool.
TEST(DaemonMetricsTest, SendsAreCountedWithTheirLabels) {
  // The first callback is answered 500 (an http_error, retried), the others 200.
  WebhookReceiver receiver([](int n, const ReceivedRequest&) { return n == 0 ? 500 : 200; });
  Stack::Options options;
  // +98935... is refused for good (a dead letter); the first part of every long message fails
  // once with ESME_RSYSERR (a retry), then goes through.
  options.sim_args = {"--reject-prefix", "98935", "--fail-part", "1"};
  options.report_toml = "webhook_allow_private = true\nwebhook_retry_base_ms = 200\n";
  Stack stack(options);
  const std::string key = stack.CreateFundedAccount("counted", 10, 1000).second;
  const std::string poor = stack.CreateFundedAccount("poor", 10, 5).second;
  HttpResponse hooked = stack.Api(
      "POST", "/v1/messages",
      R"({"to":"+989121234567","text":"normal","callback_url":")" + receiver.Url("/hook") + R"("})", key);
  ASSERT_EQ(hooked.status, 202) << hooked.body;
  std::vector<std::string> delivered = {
      hooked.Json().at("id").get<std::string>(),
      stack.SendText(key, "+989121234567", std::string(200, 'x')),  // two parts
  };
  HttpResponse express =
      stack.Api("POST", "/v1/messages", R"({"to":"+989121234567","text":"fast","priority":"express"})", key);
  ASSERT_EQ(express.status, 202) << express.body;
  delivered.push_back(express.Json().at("id").get<std::string>());
  const std::string rejected = stack.SendText(key, "+989351234567", "refused by the SMSC");
  EXPECT_EQ(stack.Api("POST", "/v1/messages", R"({"to":"12","text":"bad number"})", key).status, 400);
  EXPECT_EQ(stack.Api("POST", "/v1/messages", R"({"to":"+989121234567","text":"too dear"})", poor).status, 402);
  HttpResponse batch = stack.Api(
      "POST", "/v1/messages/batch", R"({"messages":[{"to":"+989121234568","text":"b"},{"to":"x","text":"b"}]})", key);
  ASSERT_EQ(batch.status, 200) << batch.body;
  delivered.push_back(batch.Json().at("results")[0].at("id").get<std::string>());
  for (const std::string& id : delivered) {
    EXPECT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, id) == "delivered"; }, std::chrono::seconds(40)))
        << id << ": " << stack.MessageStatus(key, id);
  }
  EXPECT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, rejected) == "failed"; }));

  std::string text;
  metrics::Scrape api = ScrapeOf(stack, "smsgw-api", &text);
  EXPECT_EQ(Promtool(text).first, 0) << Promtool(text).second;
  EXPECT_EQ(api.Sum("smsgw_api_messages_accepted_total", {{"priority", "normal"}}), 4.0);
  EXPECT_EQ(api.Sum("smsgw_api_messages_accepted_total", {{"priority", "express"}}), 1.0);
  EXPECT_EQ(api.Sum("smsgw_api_messages_refused_total", {{"code", "invalid_argument"}}), 2.0);  // the number, the item
  EXPECT_EQ(api.Sum("smsgw_api_messages_refused_total", {{"code", "insufficient_funds"}}), 1.0);
  EXPECT_EQ(api.Sum("smsgw_api_messages_refused_total", {{"code", "unavailable"}}), 0.0);  // made at start
  const std::string send = "POST /v1/messages";
  EXPECT_EQ(api.Sum("smsgw_api_requests_total", {{"route", send}, {"code", "202"}, {"class", "2xx"}}), 4.0);
  EXPECT_EQ(api.Sum("smsgw_api_requests_total", {{"route", send}, {"code", "400"}, {"class", "4xx"}}), 1.0);
  EXPECT_EQ(api.Sum("smsgw_api_requests_total", {{"route", send}, {"code", "402"}}), 1.0);
  EXPECT_EQ(api.Sum("smsgw_api_requests_total", {{"route", "POST /v1/messages/batch"}, {"code", "200"}}), 1.0);
  EXPECT_GE(api.Sum("smsgw_api_requests_total", {{"route", "GET /v1/messages/{id}"}, {"code", "200"}}).value_or(0), 5);
  EXPECT_EQ(api.Sum("smsgw_api_requests_total", {{"class", "5xx"}}), std::nullopt);
  EXPECT_EQ(api.Sum("smsgw_api_request_seconds_count", {{"route", send}}), 6.0);
  EXPECT_EQ(api.Sum("smsgw_api_batch_items_count"), 1.0);
  EXPECT_EQ(api.Sum("smsgw_api_batch_items_sum"), 2.0);
  EXPECT_EQ(api.Sum("smsgw_api_send_batch_size_sum"), 6.0);  // every message that reached the ledger
  EXPECT_EQ(api.Sum("smsgw_api_send_queue_depth"), 0.0);

  // The dead letter is in q:dlq: the scheduler's poller sees it within its period.
  EXPECT_TRUE(WaitUntil([&] { return ScrapeOf(stack, "smsgw-sched").Sum("smsgw_sched_dlq_size") == 1.0; }));
  metrics::Scrape sched = ScrapeOf(stack, "smsgw-sched", &text);
  EXPECT_EQ(Promtool(text).first, 0) << Promtool(text).second;
  const Labels sim{{"operator", "sim"}};
  auto with = [](Labels l, const std::string& name, const std::string& value) {
    l[name] = value;
    return l;
  };
  EXPECT_EQ(sched.Sum("smsgw_sched_submits_total", with(sim, "outcome", "accepted")), 4.0);
  EXPECT_EQ(sched.Sum("smsgw_sched_submits_total", with(sim, "outcome", "retry")), 1.0);
  EXPECT_EQ(sched.Sum("smsgw_sched_submits_total", with(sim, "outcome", "failed")), 1.0);
  EXPECT_EQ(sched.Sum("smsgw_sched_submits_total", with(sim, "outcome", "throttled")), 0.0);
  EXPECT_EQ(sched.Sum("smsgw_sched_receipts_total", with(sim, "status", "delivered")), 4.0);
  EXPECT_EQ(sched.Sum("smsgw_sched_receipts_total", with(sim, "status", "undelivered")), 0.0);
  EXPECT_EQ(sched.Sum("smsgw_sched_retries_total", {{"reason", "smsc_error"}}), 1.0);
  EXPECT_EQ(sched.Sum("smsgw_sched_retries_total"), 1.0);
  EXPECT_EQ(sched.Sum("smsgw_sched_dead_letters_total", {{"reason", "rejected"}}), 1.0);
  EXPECT_EQ(sched.Sum("smsgw_sched_dead_letters_total"), 1.0);
  EXPECT_EQ(sched.Sum("smsgw_sched_express_latency_seconds_count"), 1.0);
  EXPECT_EQ(sched.Sum("smsgw_sched_express_latency_seconds_bucket", {{"le", "5"}}), 1.0);  // within the 5 s SLA
  EXPECT_EQ(sched.Sum("smsgw_sched_express_sla_seconds"), 5.0);
  EXPECT_GT(sched.Sum("smsgw_sched_express_share").value_or(0), 0);
  EXPECT_GE(sched.Sum("smsgw_sched_read_batch_size_sum").value_or(0), 6);  // the retry is read twice
  EXPECT_EQ(sched.Sum("smsgw_sched_queue_depth", {{"level", "express"}}), 0.0);
  EXPECT_EQ(sched.Sum("smsgw_sched_queue_depth", {{"level", "normal"}}), 0.0);
  EXPECT_EQ(sched.Sum("smsgw_sched_queue_depth", {{"level", "retry"}}), 0.0);

  // Submitted and delivered were told to the receiver, the first attempt failing.
  metrics::Scrape report;
  EXPECT_TRUE(WaitUntil([&] {
    report = ScrapeOf(stack, "smsgw-report", &text);
    return report.Sum("smsgw_webhook_deliveries_total", {{"outcome", "delivered"}}) == 2.0;
  })) << text;
  EXPECT_EQ(Promtool(text).first, 0) << Promtool(text).second;
  EXPECT_EQ(report.Sum("smsgw_webhook_deliveries_total", {{"outcome", "http_error"}}), 1.0);
  EXPECT_EQ(report.Sum("smsgw_webhook_deliveries_total", {{"outcome", "unreachable"}}), 0.0);
  EXPECT_EQ(report.Sum("smsgw_webhook_deliveries_total", {{"outcome", "refused"}}), 0.0);
  EXPECT_EQ(report.Sum("smsgw_webhook_latency_seconds_count", {{"outcome", "delivered"}}), 2.0);
  EXPECT_EQ(report.Sum("smsgw_webhook_latency_seconds_count", {{"outcome", "http_error"}}), 1.0);
  // Every event of the 5 messages written: each batch timed, its rows counted (at least one
  // row per message).
  const double batches = report.Sum("smsgw_report_batches_written_total").value_or(0);
  EXPECT_GE(batches, 1);
  EXPECT_EQ(report.Sum("smsgw_report_batch_rows_count"), batches);
  EXPECT_EQ(report.Sum("smsgw_report_write_seconds_count"), batches);
  EXPECT_EQ(report.Sum("smsgw_report_batch_rows_sum"), report.Sum("smsgw_report_rows_written_total"));
  EXPECT_GE(report.Sum("smsgw_report_rows_written_total").value_or(0), 5);
  EXPECT_TRUE(WaitUntil([&] { return ScrapeOf(stack, "smsgw-report").Sum("smsgw_report_lag_seconds") == 0.0; }));

  // smsctl top shows every figure of the live view: none is missing.
  CommandResult r = stack.Smsctl({"top", "--once", "--interval", "0.5", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json top = nlohmann::json::parse(r.out);
  EXPECT_TRUE(top.at("missing_metrics").empty()) << top;
  for (const auto& [name, rate] : top.at("rates").items()) EXPECT_TRUE(rate.is_number()) << name << ": " << top;
  for (const auto& [name, rate] : top.at("errors_per_s").items()) EXPECT_TRUE(rate.is_number()) << name << ": " << top;
  EXPECT_EQ(top.at("queues").at("dlq").at("length"), 1);
  EXPECT_EQ(top.at("report_lag_s"), 0.0);
  EXPECT_GT(top.at("express").at("share").get<double>(), 0);
  EXPECT_EQ(top.at("express").at("submitted"), 0.0);  // none in the interval
  EXPECT_EQ(top.at("operators")[0].at("window_in_use"), 0.0);
  EXPECT_EQ(top.at("operators")[0].at("bound"), true);
}

// smsgw_report_lag_seconds is the age of the oldest event not yet written: it grows while
// PostgreSQL keeps the writer waiting, and is 0 again once everything is written.
TEST(DaemonMetricsTest, ReportLagGrowsWhileWritesWait) {
  Stack stack;
  const std::string key = stack.CreateFundedAccount("lagging", 1, 100).second;
  pqxx::connection db(stack.dsn());
  pqxx::work lock(db);
  lock.exec0("LOCK TABLE messages IN ACCESS EXCLUSIVE MODE");  // the writer's upsert waits for it
  stack.SendText(key, "+989121234567", "waits for the lock");
  EXPECT_TRUE(WaitUntil([&] {
    return ScrapeOf(stack, "smsgw-report").Sum("smsgw_report_lag_seconds").value_or(0) >= 2.0;
  }));
  lock.abort();
  EXPECT_TRUE(WaitUntil([&] { return ScrapeOf(stack, "smsgw-report").Sum("smsgw_report_lag_seconds") == 0.0; }));
}

// The scheduler's poller reads the backlog per service level, however it is made up.
TEST(DaemonMetricsTest, QueueDepthsFollowTheBacklog) {
  Stack stack;
  const std::string key = stack.CreateFundedAccount("backlog", 1, 1000).second;
  // No SMSC: the scheduler binds no link, so it reads nothing and the backlog stays.
  stack.process("smsgw-smsc-sim")->Stop();
  stack.process("smsgw-sched")->Stop();
  for (int i = 0; i < 3; ++i) stack.SendText(key, "+989121234567", "waits");
  ASSERT_EQ(stack.Api("POST", "/v1/messages", R"({"to":"+989121234567","text":"x","priority":"express"})", key).status,
            202);
  ASSERT_TRUE(stack.redis().Run({"ZADD", "q:retry", "99999999999999", "later"}).ok());
  stack.Start("smsgw-sched");
  metrics::Scrape sched;
  ASSERT_TRUE(WaitUntil([&] {
    sched = ScrapeOf(stack, "smsgw-sched");
    return sched.Sum("smsgw_sched_queue_depth", {{"level", "retry"}}) == 1.0;
  }));
  EXPECT_EQ(sched.Sum("smsgw_sched_queue_depth", {{"level", "normal"}}), 3.0);
  EXPECT_EQ(sched.Sum("smsgw_sched_queue_depth", {{"level", "express"}}), 1.0);
  EXPECT_EQ(sched.Sum("smsgw_sched_dlq_size"), 0.0);
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
