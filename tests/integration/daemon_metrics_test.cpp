// Every daemon serves Prometheus text on its metrics_listen, which Prometheus' own promtool
// accepts, with the process basics, its version and the traffic it handled; /healthz says it
// serves.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <algorithm>
#include <fstream>
#include <regex>
#include <tuple>

#include "../promtool.h"
#include "common/version.h"
#include "metrics/parse.h"
#include "rpc/clients.h"
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
  // accepted, submitted, delivered: counted just after their commit, which a read may overtake.
  EXPECT_TRUE(WaitUntil([&] {
    return ScrapeOf(stack, "smsgw-report").Sum("smsgw_report_events_written_total").value_or(0) >= 3;
  }));
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

  // The ledger held the money of the 5 messages accepted (the long one costs two parts),
  // refused the poor account's, gave back the dead letter's, and PostgreSQL has it all.
  metrics::Scrape ledger;
  EXPECT_TRUE(WaitUntil([&] {
    ledger = ScrapeOf(stack, "smsgw-ledger", &text);
    return ledger.Sum("smsgw_ledger_dirty_accounts") == 0.0;
  })) << text;
  EXPECT_EQ(Promtool(text).first, 0) << Promtool(text).second;
  EXPECT_EQ(ledger.Sum("smsgw_ledger_debits_total", {{"result", "ok"}}), 5.0);
  EXPECT_EQ(ledger.Sum("smsgw_ledger_debits_total", {{"result", "insufficient_funds"}}), 1.0);
  EXPECT_EQ(ledger.Sum("smsgw_ledger_debits_total", {{"result", "duplicate"}}), 0.0);
  EXPECT_EQ(ledger.Sum("smsgw_ledger_debited_minor_total"), 60.0);
  // Each message is captured before its first submit; a retry may capture again (ok too).
  EXPECT_GE(ledger.Sum("smsgw_ledger_captures_total", {{"result", "ok"}}).value_or(0), 5);
  EXPECT_EQ(ledger.Sum("smsgw_ledger_captures_total", {{"result", "hold_refunded"}}), 0.0);
  EXPECT_EQ(ledger.Sum("smsgw_ledger_refunds_total", {{"result", "ok"}}), 1.0);
  EXPECT_EQ(ledger.Sum("smsgw_ledger_refunded_minor_total"), 10.0);
  EXPECT_EQ(ledger.Sum("smsgw_ledger_topups_total", {{"result", "ok"}}), 2.0);
  EXPECT_EQ(ledger.Sum("smsgw_ledger_topup_minor_total"), 1005.0);
  EXPECT_EQ(ledger.Sum("smsgw_ledger_holds_expired_total"), 0.0);
  // Latency per method: every DebitBatch call the API made was timed by the ledger.
  EXPECT_EQ(ledger.Sum("smsgw_grpc_server_call_seconds_count", {{"method", "Ledger/DebitBatch"}}),
            ledger.Sum("smsgw_grpc_server_calls_total", {{"method", "Ledger/DebitBatch"}}));
  EXPECT_GE(ledger.Sum("smsgw_grpc_server_call_seconds_count", {{"method", "Ledger/CaptureBatch"}}).value_or(0), 1);

  // Every metric the Grafana dashboard plots is exported by a daemon by now.
  std::ifstream dashboard_file(std::string(SMSGW_SOURCE_DIR) + "/contrib/grafana/smsgw-dashboard.json");
  const nlohmann::json dashboard = nlohmann::json::parse(dashboard_file);
  std::vector<metrics::Scrape> all;
  for (const char* daemon : kDaemons) all.push_back(ScrapeOf(stack, daemon));
  int plotted = 0;
  for (const auto& panel : dashboard.at("panels")) {
    if (!panel.contains("targets")) continue;
    for (const auto& target : panel.at("targets")) {
      const std::string expr = target.at("expr");
      const std::regex name(R"((smsgw|process)_[a-z_]+)");
      for (auto m = std::sregex_iterator(expr.begin(), expr.end(), name); m != std::sregex_iterator(); ++m) {
        ++plotted;
        const auto exports = [&](const metrics::Scrape& s) { return !s.All(m->str()).empty(); };
        EXPECT_TRUE(std::any_of(all.begin(), all.end(), exports)) << panel.at("title") << ": " << m->str();
      }
    }
  }
  EXPECT_GE(plotted, 40);

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

// Each money path of the ledger, called over gRPC, is counted under its result, with the money
// it moved; the sweeper's expiries and the flusher's backlog (ledger:dirty) are exported.
TEST(DaemonMetricsTest, TheLedgerCountsEachMoneyPathByResult) {
  Stack::Options options = Stack::LedgerOnly();
  options.ledger_flush_interval_ms = 3600000;  // the dirty marks stay until the test looks
  Stack stack(options);
  rpc::LedgerClient client(stack.ledger_address());
  const int64_t account = stack.CreateFundedAccount("money", 10, 100).first;
  const int64_t disabled = stack.CreateFundedAccount("disabled", 10, 0).first;
  v1::SetStatusRequest off;
  off.set_account_id(disabled);
  off.set_active(false);
  ASSERT_TRUE(client.SetStatus(off).ok());
  v1::TopUpRequest again;
  again.set_account_id(account);
  again.set_amount(100);
  again.set_reference("initial-money");  // CreateFundedAccount's
  ASSERT_TRUE(client.TopUp(again).ok());

  v1::DebitBatchRequest debits;
  auto debit = [&](int64_t id, const std::string& message, int64_t cost, int64_t ttl_s) {
    v1::DebitRequest* item = debits.add_items();
    item->set_account_id(id);
    item->set_message_id(message);
    item->set_cost(cost);
    item->set_ttl_s(ttl_s);
  };
  debit(account, "sent", 30, 600);
  debit(account, "sent", 30, 600);        // duplicate
  debit(account, "too-dear", 1000, 600);  // insufficient_funds
  debit(999999, "nobody", 10, 600);       // account_unknown
  debit(disabled, "off", 10, 600);        // disabled
  debit(account, "expires", 20, 1);       // ok, then expired by the sweeper
  Result<v1::DebitBatchReply> debited = client.DebitBatch(debits);
  ASSERT_TRUE(debited.ok()) << debited.status().ToString();
  ASSERT_EQ(client.Capture(account, "sent")->result(), v1::LEDGER_OK);
  ASSERT_EQ(client.Capture(account, "no-hold")->result(), v1::LEDGER_HOLD_UNKNOWN);
  ASSERT_EQ(client.Refund(account, "sent", "test")->result(), v1::LEDGER_OK);
  ASSERT_TRUE(client.Refund(account, "sent", "test")->duplicate());
  ASSERT_EQ(client.Refund(account, "never", "test")->result(), v1::LEDGER_HOLD_UNKNOWN);
  v1::DebitRequest late;  // the debit of a message refunded before it came
  late.set_account_id(account);
  late.set_message_id("never");
  late.set_cost(10);
  late.set_ttl_s(600);
  ASSERT_EQ(client.Debit(late)->result(), v1::LEDGER_HOLD_REFUNDED);

  std::string text;
  metrics::Scrape ledger;
  const auto dirty = [&] { return static_cast<double>(stack.redis().Run({"SCARD", "ledger:dirty"})->integer); };
  ASSERT_TRUE(WaitUntil([&] {
    ledger = ScrapeOf(stack, "smsgw-ledger", &text);
    return ledger.Sum("smsgw_ledger_holds_expired_total") == 1.0 &&
           ledger.Sum("smsgw_ledger_dirty_accounts") == dirty();
  })) << text;
  EXPECT_EQ(Promtool(text).first, 0) << Promtool(text).second;
  EXPECT_GE(dirty(), 2);  // the two accounts (and the unknown one, marked before its script)
  // family (smsgw_ledger_<family>_total), result, count
  const std::tuple<std::string, std::string, double> counted[] = {
      {"debits", "ok", 2},
      {"debits", "duplicate", 1},
      {"debits", "insufficient_funds", 1},
      {"debits", "account_unknown", 1},
      {"debits", "disabled", 1},
      {"debits", "hold_refunded", 1},
      {"captures", "ok", 1},
      {"captures", "hold_unknown", 1},
      {"captures", "hold_refunded", 0},
      {"refunds", "ok", 1},
      {"refunds", "duplicate", 1},
      {"refunds", "hold_unknown", 1},
      {"topups", "ok", 1},
      {"topups", "duplicate", 1},
  };
  for (const auto& [family, result, n] : counted) {
    EXPECT_EQ(ledger.Sum("smsgw_ledger_" + family + "_total", {{"result", result}}), n) << family << " " << result;
  }
  EXPECT_EQ(ledger.Sum("smsgw_ledger_debited_minor_total"), 50.0);
  EXPECT_EQ(ledger.Sum("smsgw_ledger_refunded_minor_total"), 30.0);  // the expiry's 20 is not a refund
  EXPECT_EQ(ledger.Sum("smsgw_ledger_topup_minor_total"), 100.0);
  EXPECT_EQ(ledger.Sum("smsgw_grpc_server_call_seconds_count", {{"method", "Ledger/Refund"}}), 3.0);
  EXPECT_EQ(LedgerBalance(client, account), 100);  // 30 refunded, 20 expired
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
