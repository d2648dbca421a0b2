// smsgw-api's send path through real HTTP, ledger, Redis and scheduler: the batch endpoint with
// valid, invalid and unaffordable items; many concurrent single sends coalesced into shared
// ledger calls with the money exact; a ledger that is down or stalled answered 503 quickly
// while /healthz keeps answering.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <tuple>

#include "stack.h"

namespace smsgw::testing {
namespace {

using Clock = std::chrono::steady_clock;

Stack::Options NoScheduler() {
  Stack::Options o;
  o.sched = false;
  return o;
}

std::string Msg(const std::string& to, const std::string& text) {
  return nlohmann::json({{"to", to}, {"text", text}}).dump();
}

TEST(ApiSendBatchTest, ItemsAreJudgedAloneAndTheMoneyIsExact) {
  Stack stack;
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("batcher", 10, 35);
  const std::string body = R"({"messages":[)" + Msg("+989121234567", "one") + "," +  // 10, leaves 25
                           Msg("12", "bad number") + "," +                             // 400
                           Msg("+989121234568", std::string(200, 'x')) + "," +         // 20, leaves 5
                           Msg("+989121234569", "too poor now") + "," +                // 402
                           R"({"text":"no to"}]})";                                    // 400
  HttpResponse r = stack.Api("POST", "/v1/messages/batch", body, key);
  ASSERT_EQ(r.status, 200) << r.body;
  nlohmann::json j = r.Json();
  EXPECT_EQ(j.at("accepted"), 2);
  EXPECT_EQ(j.at("refused"), 3);
  EXPECT_EQ(j.at("total_cost"), 30);
  const nlohmann::json& items = j.at("results");
  ASSERT_EQ(items.size(), 5u);
  for (size_t i = 0; i < items.size(); ++i) EXPECT_EQ(items[i].at("index"), i);
  EXPECT_EQ(items[0].at("status"), "accepted");
  EXPECT_EQ(items[0].at("cost"), 10);
  EXPECT_EQ(items[1].at("status"), "refused");
  EXPECT_EQ(items[1].at("problem").at("code"), "invalid_argument");
  EXPECT_EQ(items[1].at("problem").at("detail"), "to: not a valid phone number");
  EXPECT_EQ(items[2].at("segments"), 2);
  EXPECT_EQ(items[2].at("cost"), 20);
  EXPECT_EQ(items[3].at("problem").at("code"), "insufficient_funds");
  EXPECT_EQ(items[3].at("problem").at("status"), 402);
  EXPECT_EQ(items[4].at("problem").at("detail"), "to: required");

  for (size_t i : {0u, 2u}) {
    const std::string id = items[i].at("id");
    EXPECT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, id) == "delivered"; }))
        << id << " is " << stack.MessageStatus(key, id);
  }
  EXPECT_EQ(stack.Balance(account), 5);
}

TEST(ApiSendBatchTest, OneTextToManyNumbers) {
  Stack stack;
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("fanout", 3, 1000);
  nlohmann::json body = {{"text", "hello all"}, {"priority", "express"}, {"to", nlohmann::json::array()}};
  for (int i = 0; i < 100; ++i) body["to"].push_back("+98912" + std::to_string(1000000 + i));
  HttpResponse r = stack.Api("POST", "/v1/messages/batch", body.dump(), key);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json().at("accepted"), 100);
  EXPECT_EQ(r.Json().at("total_cost"), 300);
  EXPECT_EQ(stack.Balance(account), 700);
  const std::string last = r.Json().at("results").at(99).at("id");
  EXPECT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, last) == "delivered"; }));
}

TEST(ApiSendBatchTest, TooManyItemsIs413AndNotAListIs400) {
  Stack stack(NoScheduler());
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("limits", 1, 100000);
  nlohmann::json body = {{"text", "x"}, {"to", nlohmann::json::array()}};
  for (int i = 0; i < 1001; ++i) body["to"].push_back("+989121234567");
  HttpResponse r = stack.Api("POST", "/v1/messages/batch", body.dump(), key);
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/problem+json");
  r = stack.Api("POST", "/v1/messages/batch", R"({"messages":{"to":"+989121234567"}})", key);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json().at("detail"), "messages: must be a list");
  r = stack.Api("POST", "/v1/messages/batch", R"([1,2])", key);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(stack.Balance(account), 100000);  // nothing was charged for refused bodies
}

TEST(ApiSendBatchTest, ConcurrentSendsNeverOverdrawAndUseTheLastUnit) {
  Stack stack(NoScheduler());
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("crowd", 7, 1000);
  constexpr int kClients = 64;
  constexpr int kEach = 4;  // 256 sends of 7 on 1000: exactly 142 fit, leaving 6
  std::atomic<int> accepted{0}, poor{0}, other{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; i < kEach; ++i) {
        HttpResponse r = stack.Api("POST", "/v1/messages", Msg("+98912" + std::to_string(2000000 + c), "hi"), key);
        (r.status == 202 ? accepted : r.status == 402 ? poor : other)++;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(accepted.load(), 142);
  EXPECT_EQ(poor.load(), kClients * kEach - 142);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(stack.Balance(account), 6);
  // What was accepted is queued, once each.
  EXPECT_EQ(stack.redis().Run({"XLEN", "{a:" + std::to_string(account) + "}:q"})->integer, 142);
}

TEST(ApiSendBatchTest, ALedgerThatIsDownOrStalledIs503Quickly) {
  Stack::Options options = NoScheduler();
  options.api_toml = "ledger_timeout_ms = 500\n";
  Stack stack(options);
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("waiting", 10, 100);
  ASSERT_EQ(stack.Api("POST", "/v1/messages", Msg("+989121234567", "warm"), key).status, 202);

  // Stalled: the process is there but does not answer.
  Process* ledger = stack.process("smsgw-ledger");
  ASSERT_NE(ledger, nullptr);
  ASSERT_EQ(kill(ledger->pid(), SIGSTOP), 0);
  std::atomic<bool> health_ok{true};
  std::thread prober([&] {
    // While sends wait on the ledger, liveness answers at once.
    for (int i = 0; i < 10; ++i) {
      const auto t0 = Clock::now();
      HttpResponse h = stack.Api("GET", "/healthz");
      if (h.status != 200 || Clock::now() - t0 > std::chrono::milliseconds(300)) health_ok = false;
    }
  });
  auto t0 = Clock::now();
  HttpResponse r = stack.Api("POST", "/v1/messages", Msg("+989121234567", "stalled"), key);
  auto waited = Clock::now() - t0;
  prober.join();
  ASSERT_EQ(kill(ledger->pid(), SIGCONT), 0);
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.Header("retry-after"), "1");
  EXPECT_EQ(r.Json().at("code"), "unavailable");
  EXPECT_LT(waited, std::chrono::seconds(3));
  EXPECT_TRUE(health_ok.load());

  // Down: refused connections are answered just as quickly.
  ledger->Stop();
  t0 = Clock::now();
  r = stack.Api("POST", "/v1/messages/batch", R"({"to":["+989121234567"],"text":"down"})", key);
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(3));
  EXPECT_EQ(stack.Api("GET", "/healthz").status, 200);

  // Back: only the first message was queued. The stalled debit was refunded, or, if the ledger
  // ran the refund before the debit it had queued, it is held until it expires: either way no
  // money is gone.
  stack.Start("smsgw-ledger");
  EXPECT_EQ(stack.redis().Run({"XLEN", "{a:" + std::to_string(account) + "}:q"})->integer, 1);
  auto spendable_plus_held = [&] {
    HttpResponse b = stack.Api("GET", "/v1/balance", "", key);
    return b.status == 200 ? b.Json().at("balance").get<int64_t>() + b.Json().at("held").get<int64_t>() : -1;
  };
  EXPECT_TRUE(WaitUntil([&] { return spendable_plus_held() == 100; })) << spendable_plus_held();
}

}  // namespace
}  // namespace smsgw::testing
