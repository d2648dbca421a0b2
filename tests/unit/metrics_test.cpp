// lib/metrics: values, labels, the text format (checked by Prometheus' own promtool), the
// parser smsctl reads it with, and the /metrics and /healthz listener over real HTTP.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "../promtool.h"
#include "http/client.h"
#include "metrics/parse.h"
#include "metrics/poller.h"
#include "metrics/registry.h"
#include "metrics/server.h"

namespace smsgw::metrics {
namespace {

using smsgw::testing::Promtool;

TEST(MetricsTest, CountersGaugesAndHistogramsExposeInTextFormat) {
  Registry r;
  r.AddCounter("t_requests_total", "Requests.", {"route", "code"}).Labels({"/v1/messages", "202"}).Inc(3);
  r.AddGauge("t_depth", "Depth.").Get().Set(7.5);
  Histogram& h = r.AddHistogram("t_latency_seconds", "Latency.", {}, {0.1, 1}).Get();
  h.Observe(0.05);
  h.Observe(0.1);  // "le" is inclusive
  h.Observe(5);
  const std::string text = r.Expose();
  EXPECT_NE(text.find("# TYPE t_requests_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find("t_requests_total{route=\"/v1/messages\",code=\"202\"} 3"), std::string::npos) << text;
  EXPECT_NE(text.find("t_depth 7.5"), std::string::npos) << text;
  EXPECT_NE(text.find("t_latency_seconds_bucket{le=\"0.1\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("t_latency_seconds_bucket{le=\"1\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("t_latency_seconds_bucket{le=\"+Inf\"} 3"), std::string::npos) << text;
  EXPECT_NE(text.find("t_latency_seconds_count 3"), std::string::npos) << text;
  EXPECT_NE(text.find("t_latency_seconds_sum 5.15"), std::string::npos) << text;
  auto [code, out] = Promtool(text);
  EXPECT_EQ(code, 0) << out << "\n" << text;
}

TEST(MetricsTest, LabelValuesAreEscapedAndReadBack) {
  Registry r;
  const std::string nasty = "a\"b\\c\nd";
  r.AddCounter("t_odd_total", "Help with a \\ backslash\nand a newline.", {"v"}).Labels({nasty}).Inc();
  const std::string text = r.Expose();
  EXPECT_NE(text.find(R"(t_odd_total{v="a\"b\\c\nd"} 1)"), std::string::npos) << text;
  auto [code, out] = Promtool(text);
  EXPECT_EQ(code, 0) << out << "\n" << text;
  Result<std::vector<Sample>> samples = ParseExposition(text);
  ASSERT_TRUE(samples.ok()) << samples.status().ToString();
  Scrape scrape(*samples);
  EXPECT_EQ(scrape.Sum("t_odd_total", {{"v", nasty}}), 1.0);
  EXPECT_EQ(scrape.Sum("t_missing_total"), std::nullopt);
}

TEST(MetricsTest, ConcurrentUpdatesAreNotLost) {
  Registry r;
  Counter& c = r.AddCounter("t_hits_total", "Hits.").Get();
  Histogram& h = r.AddHistogram("t_size", "Sizes.", {}, SizeBuckets()).Get();
  auto& family = r.AddCounter("t_by_thread_total", "Per thread.", {"thread"});
  constexpr int kThreads = 4, kEach = 100000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Counter& mine = family.Labels({std::to_string(t % 2)});
      for (int i = 0; i < kEach; ++i) {
        c.Inc();
        mine.Inc();
        h.Observe(i % 3);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), uint64_t{kThreads * kEach});
  EXPECT_EQ(family.Labels({"0"}).value() + family.Labels({"1"}).value(), uint64_t{kThreads * kEach});
  const Histogram::Snapshot s = h.Read();
  EXPECT_EQ(s.count, uint64_t{kThreads * kEach});
  EXPECT_EQ(s.sum, kThreads * 99999.0);  // 0, 1, 2, 0, ...: 33,333 ones and 33,333 twos each
}

TEST(MetricsTest, CallbacksAreReadAtScrapeAndGoneWithTheirOwner) {
  Registry r;
  double depth = 4;
  {
    ScrapeCallbacks callbacks(r);
    callbacks.Gauge("t_link_window_in_use", "In use.", {{"operator", "a"}}, [&] { return depth; });
    callbacks.Gauge("t_link_window_in_use", "In use.", {{"operator", "b"}}, [] { return 1.0; });
    depth = 6;
    const std::string text = r.Expose();
    EXPECT_NE(text.find("t_link_window_in_use{operator=\"a\"} 6"), std::string::npos) << text;
    EXPECT_NE(text.find("t_link_window_in_use{operator=\"b\"} 1"), std::string::npos) << text;
    EXPECT_EQ(text.find("# TYPE t_link_window_in_use gauge"), text.rfind("# TYPE t_link_window_in_use gauge"));
    EXPECT_EQ(Promtool(text).first, 0) << text;
  }
  EXPECT_EQ(r.Expose().find("t_link_window_in_use"), std::string::npos);
}

TEST(MetricsTest, RegisteringANameTwiceGivesTheSameFamilyOrFailsLoudly) {
  Registry r;
  auto& a = r.AddCounter("t_same_total", "Same.", {"x"});
  auto& b = r.AddCounter("t_same_total", "Same.", {"x"});
  EXPECT_EQ(&a, &b);
  EXPECT_THROW(r.AddGauge("t_same_total", "Other type."), std::logic_error);
  EXPECT_THROW(r.AddCounter("t_same_total", "Other labels.", {"y"}), std::logic_error);
  EXPECT_THROW(r.AddCounter("0bad name", "Bad."), std::logic_error);
  EXPECT_THROW(r.AddHistogram("t_h", "Bad bounds.", {}, {2, 1}), std::logic_error);
}

TEST(MetricsTest, ParserRefusesGarbageWithTheLine) {
  Result<std::vector<Sample>> r = ParseExposition("# HELP x y\nok_metric 1\nthis is not a sample\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("line 3"), std::string::npos) << r.status().message();
}

TEST(MetricsPollerTest, PollsAtOnceThenEveryIntervalAndStopsWithoutWaitingForIt) {
  std::atomic<int> polls{0};
  // An hour between polls: the second one can only come from the interval being honoured
  // after Stop() wakes the thread, which must not happen.
  Poller hourly("test", std::chrono::hours(1), [&] { ++polls; });
  hourly.Start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (polls.load() == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  EXPECT_EQ(polls.load(), 1);
  const auto stop_started = std::chrono::steady_clock::now();
  hourly.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_started, std::chrono::seconds(10));
  EXPECT_EQ(polls.load(), 1);

  std::atomic<int> fast{0};
  Poller often("test", std::chrono::milliseconds(1), [&] { ++fast; });
  often.Start();
  while (fast.load() < 3 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  EXPECT_GE(fast.load(), 3);
  often.Stop();
  const int after_stop = fast.load();
  often.Stop();  // idempotent
  EXPECT_EQ(fast.load(), after_stop);
}

TEST(MetricsServerTest, ServesMetricsAndHealthOverHttp) {
  Registry r;
  r.AddCounter("t_served_total", "Served.").Get().Inc(42);
  std::atomic<bool> healthy{false};
  Server server(r, [&] { return Health{healthy.load(), healthy ? R"({"status":"ok"})" : R"({"status":"starting"})"}; });
  ASSERT_TRUE(server.Start("127.0.0.1:0").ok());
  ASSERT_NE(server.port(), 0);

  Result<http::Response> metrics = http::Get("127.0.0.1", server.port(), "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status().ToString();
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics->body.find("t_served_total 42"), std::string::npos) << metrics->body;

  Result<http::Response> starting = http::Get("127.0.0.1", server.port(), "/healthz");
  ASSERT_TRUE(starting.ok());
  EXPECT_EQ(starting->status, 503);
  EXPECT_NE(starting->body.find("starting"), std::string::npos);
  healthy = true;
  EXPECT_EQ(http::Get("127.0.0.1", server.port(), "/healthz")->status, 200);
  EXPECT_EQ(http::Get("127.0.0.1", server.port(), "/nothing")->status, 404);
  EXPECT_EQ(http::Request("127.0.0.1", server.port(), "POST", "/metrics", "x")->status, 405);

  Server taken(r, [] { return Health{true, "{}"}; });
  Status s = taken.Start("127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(s.code(), ErrorCode::kUnavailable) << s.ToString();
  EXPECT_EQ(taken.Start("nonsense").code(), ErrorCode::kInvalidArgument);
  server.Stop();
  EXPECT_FALSE(http::Get("127.0.0.1", server.port(), "/metrics").ok());
}

}  // namespace
}  // namespace smsgw::metrics
