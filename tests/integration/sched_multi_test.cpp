// Several scheduler instances: an operator's tps holds across them (review M5), each names
// itself (M11), and when one is killed mid-flood the other takes its entries over (C3): every
// message ends delivered once, and the money reconciles.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <tuple>

#include "stack.h"

namespace smsgw::testing {
namespace {

// Sends `n` messages as batches of up to 500; returns their ids.
std::vector<std::string> SendMany(Stack& stack, const std::string& key, int n, const std::string& tag) {
  std::vector<std::string> ids;
  for (int sent = 0; sent < n;) {
    const int batch = std::min(500, n - sent);
    nlohmann::json to = nlohmann::json::array();
    for (int i = 0; i < batch; ++i) to.push_back("+98912" + std::to_string(1000000 + sent + i));
    nlohmann::json body = {{"to", to}, {"text", tag + " flood"}};
    HttpResponse r = stack.Api("POST", "/v1/messages/batch", body.dump(), key);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) break;
    const nlohmann::json reply = r.Json();  // kept: the loop must not walk a temporary
    for (const auto& item : reply.at("results")) {
      if (item.value("status", "") == "accepted") ids.push_back(item.at("id").get<std::string>());
    }
    sent += batch;
  }
  return ids;
}

// Per wall-clock second, the submit_sm the simulator counted (its "rate" lines on stdout).
std::map<int64_t, int64_t> SimRates(Stack& stack) {
  std::map<int64_t, int64_t> out;
  const std::string log = stack.process("smsgw-smsc-sim")->Log();
  std::regex line(R"(rate second=(\d+) submits=(\d+))");
  for (auto it = std::sregex_iterator(log.begin(), log.end(), line); it != std::sregex_iterator(); ++it) {
    out[std::stoll((*it)[1].str())] += std::stoll((*it)[2].str());
  }
  return out;
}

std::string ConsumerOf(Process* p) {
  std::smatch m;
  const std::string log = p->Log();
  return std::regex_search(log, m, std::regex("running as consumer '([^']+)'")) ? m[1].str() : "";
}

TEST(SchedMultiTest, TwoInstancesShareTheOperatorsTps) {
  Stack::Options options;
  options.sched_instances = 2;
  options.sched_consumer = false;
  options.operator_toml = "tps = 200\ntps_burst = 20\nwindow = 50\n";
  Stack stack(options);
  // Review M11: two instances on one host, nothing configured: two names.
  const std::string c1 = ConsumerOf(stack.process("smsgw-sched"));
  const std::string c2 = ConsumerOf(stack.process("smsgw-sched-2"));
  EXPECT_FALSE(c1.empty());
  EXPECT_NE(c1, c2);

  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("tps", 1, 100000);
  const std::vector<std::string> ids = SendMany(stack, key, 1500, "tps");
  ASSERT_EQ(ids.size(), 1500u);
  EXPECT_TRUE(WaitUntil([&] { return stack.Sql("SELECT count(*) FROM messages WHERE status = 'delivered'") == "1500"; },
                        std::chrono::seconds(60)))
      << stack.Sql("SELECT count(*) FROM messages WHERE status = 'delivered'") << " delivered";
  // Both instances read the account's stream.
  Result<redis::Reply> consumers = stack.redis().Run({"XINFO", "CONSUMERS", "{a:" + std::to_string(account) + "}:q", "sched"});
  ASSERT_TRUE(consumers.ok()) << consumers.status().ToString();
  EXPECT_EQ(consumers->elements.size(), 2u);

  // The rate, as the SMSC saw it. GCRA lets `tps_burst` through at once on top of the rate,
  // so any stretch of whole seconds holds at most 200 a second plus one burst of 20; the
  // first and last seconds of the drain are partial and left out.
  std::map<int64_t, int64_t> rates = SimRates(stack);
  ASSERT_GE(rates.size(), 5u) << "the drain took under 5 s: the limit was not applied";
  std::vector<int64_t> full;
  for (auto it = std::next(rates.begin()); it != std::prev(rates.end()); ++it) full.push_back(it->second);
  int64_t sum = 0;
  for (int64_t n : full) {
    EXPECT_LE(n, 200 + 20);
    sum += n;
  }
  EXPECT_LE(sum, 200 * static_cast<int64_t>(full.size()) + 20);
  // And it was the limit that held them back, not idleness: close to 200 a second.
  EXPECT_GE(sum, 160 * static_cast<int64_t>(full.size()));
  EXPECT_EQ(stack.Balance(account), 100000 - 1500);
}

// Review C3: one of two instances is killed mid-flood. The survivor takes over its pending
// entries once they are idle for claim_idle_ms and its bind's unacknowledged receipts come to
// the survivor's bind; every message ends delivered, and nothing stays held or charged twice.
TEST(SchedMultiTest, KillingOneInstanceMidFloodLosesNothing) {
  Stack::Options options;
  options.sched_instances = 2;
  options.sched_consumer = false;
  options.sched_toml = "claim_idle_ms = 3000\n";
  options.operator_toml = "response_timeout_ms = 1000\nwindow = 20\n";
  options.sim_args = {"--response-delay-ms", "5", "--receipt-delay-ms", "300"};
  Stack stack(options);
  int64_t a1 = 0;
  std::string key1;
  std::tie(a1, key1) = stack.CreateFundedAccount("kill-a", 10, 100000);
  int64_t a2 = 0;
  std::string key2;
  std::tie(a2, key2) = stack.CreateFundedAccount("kill-b", 10, 100000);
  std::vector<std::string> ids = SendMany(stack, key1, 1500, "a");
  std::vector<std::string> more = SendMany(stack, key2, 1500, "b");
  ids.insert(ids.end(), more.begin(), more.end());
  ASSERT_EQ(ids.size(), 3000u);
  // Mid-flood: some sent, most not.
  ASSERT_TRUE(WaitUntil([&] { return std::stoll("0" + stack.Sql("SELECT count(*) FROM messages WHERE status <> 'accepted'")) >= 300; },
                        std::chrono::seconds(60)));
  stack.process("smsgw-sched")->Kill();
  EXPECT_TRUE(WaitUntil([&] { return stack.Sql("SELECT count(*) FROM messages WHERE status = 'delivered'") == "3000"; },
                        std::chrono::seconds(90)))
      << stack.Sql("SELECT status || ' ' || count(*) FROM messages GROUP BY status ORDER BY 1");
  EXPECT_EQ(stack.Sql("SELECT count(*) FROM messages"), "3000");
  EXPECT_NE(stack.process("smsgw-sched-2")->Log().find("took over"), std::string::npos);
  // Money: every message charged exactly once, nothing held, nothing refunded.
  rpc::LedgerClient ledger(stack.ledger_address());
  for (auto [account, topup] : {std::pair{a1, 100000}, std::pair{a2, 100000}}) {
    Result<v1::BalanceReply> b = ledger.GetBalance(account);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->held(), 0) << account;
    EXPECT_EQ(b->balance(), topup - 1500 * 10) << account;
  }
  const std::string charged = stack.redis().Run({"HGET", "{a:" + std::to_string(a1) + "}:acct", "charged"})->str;
  EXPECT_EQ(charged, "15000");
}

}  // namespace
}  // namespace smsgw::testing
