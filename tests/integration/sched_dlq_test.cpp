// Failures end in q:dlq refunded exactly once, validity ends in `expired`, and
// `smsctl dlq list|show|replay|purge` works on what is there (issue 6, item 6).
#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <tuple>

#include "rpc/clients.h"
#include "stack.h"

namespace smsgw::testing {
namespace {

std::string Send(Stack& stack, const std::string& key, const std::string& body) {
  HttpResponse r = stack.Api("POST", "/v1/messages", body, key);
  EXPECT_EQ(r.status, 202) << r.body;
  return r.status == 202 ? r.Json().at("id").get<std::string>() : "";
}

int64_t Int(Stack& stack, const redis::Command& cmd) {
  Result<redis::Reply> r = stack.redis().Run(cmd);
  return r.ok() ? r->integer : -1;
}

TEST(SchedDlqTest, FailuresAreDeadLetteredRefundedAndReplayed) {
  Stack::Options options;
  // Destinations +98935... are refused for good; a third of the others fail transiently.
  options.sim_args = {"--reject-prefix", "98935", "--transient-rate", "0.3", "--seed", "7"};
  options.sched_toml = "max_attempts = 2\n";
  Stack stack(options);
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("dlq", 10, 130);
  std::vector<std::string> refused, others;
  for (int i = 0; i < 3; ++i) refused.push_back(Send(stack, key, R"({"to":"+98935123456)" + std::to_string(i) + R"(","text":"no"})"));
  for (int i = 0; i < 10; ++i) others.push_back(Send(stack, key, R"({"to":"+98912123456)" + std::to_string(i) + R"(","text":"yes"})"));
  for (const std::string& id : refused) {
    EXPECT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, id) == "failed"; })) << stack.MessageStatus(key, id);
  }
  int delivered = 0;
  for (const std::string& id : others) {
    std::string status;
    EXPECT_TRUE(WaitUntil([&] {
      status = stack.MessageStatus(key, id);
      return status == "delivered" || status == "failed";
    }, std::chrono::seconds(40))) << status;
    delivered += status == "delivered" ? 1 : 0;
  }
  const int64_t dead = 13 - delivered;
  EXPECT_EQ(Int(stack, {"XLEN", "q:dlq"}), dead);
  // Refunded exactly once: only what was delivered is paid for.
  EXPECT_TRUE(WaitUntil([&] { return stack.Balance(account) == 130 - 10 * delivered; })) << stack.Balance(account);

  // list and show.
  CommandResult list = stack.Smsctl({"dlq", "list", "--account", std::to_string(account), "-o", "json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  nlohmann::json rows = nlohmann::json::parse(list.out);
  ASSERT_EQ(static_cast<int64_t>(rows.size()), dead);
  bool permanent_seen = false;
  for (const auto& row : rows) {
    permanent_seen = permanent_seen || row.at("error").get<std::string>().find("ESME_RSUBMITFAIL") != std::string::npos;
  }
  EXPECT_TRUE(permanent_seen) << list.out;
  const std::string entry = rows[0].at("entry");
  CommandResult show = stack.Smsctl({"dlq", "show", entry, "-o", "json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(nlohmann::json::parse(show.out).at("account_id"), account);
  EXPECT_EQ(stack.Smsctl({"dlq", "show", "1-1"}).exit_code, 3);

  // Replay debits again: with the balance short by one message (a hold the test makes), all
  // but one are replayed and the refusal names the account (exit 5).
  EXPECT_EQ(stack.Balance(account), 10 * dead);
  rpc::LedgerClient ledger(stack.ledger_address());
  v1::DebitRequest hold;
  hold.set_account_id(account);
  const std::string kHold = "01900000-0000-7000-8000-000000000abc";
  hold.set_message_id(kHold);
  hold.set_cost(10);
  hold.set_ttl_s(3600);
  ASSERT_EQ(ledger.Debit(hold)->result(), v1::LEDGER_OK);
  CommandResult poor = stack.Smsctl({"dlq", "replay", "--account", std::to_string(account), "-o", "json"});
  EXPECT_EQ(poor.exit_code, 5) << poor.out << poor.err;
  EXPECT_NE(poor.err.find("account " + std::to_string(account)), std::string::npos) << poor.err;
  EXPECT_EQ(static_cast<int64_t>(nlohmann::json::parse(poor.out).size()), dead - 1);
  ASSERT_TRUE(ledger.Refund(account, kHold, "test").ok());
  // The one left, by its entry id (replayed ones that fail again are new dead letters by now).
  std::set<std::string> done;
  for (const auto& r : nlohmann::json::parse(poor.out)) done.insert(r.at("entry").get<std::string>());
  std::vector<std::string> args{"dlq", "replay", "-o", "json"};
  for (const auto& row : rows) {
    if (done.count(row.at("entry").get<std::string>()) == 0) args.push_back(row.at("entry"));
  }
  ASSERT_EQ(args.size(), 5u);
  CommandResult replay = stack.Smsctl(args);
  EXPECT_EQ(replay.exit_code, 0) << replay.out << replay.err;
  nlohmann::json replayed = nlohmann::json::parse(poor.out);
  for (const auto& r : nlohmann::json::parse(replay.out)) replayed.push_back(r);
  ASSERT_EQ(static_cast<int64_t>(replayed.size()), dead);
  int delivered_again = 0;
  for (const auto& r : replayed) {
    EXPECT_NE(r.at("new_message_id"), r.at("message_id"));
    // The dead one keeps its final status; the new one goes its own way (the refused
    // destinations are refused again, and dead-lettered again).
    EXPECT_EQ(stack.MessageStatus(key, r.at("message_id")), "failed");
    const std::string fresh = r.at("new_message_id");
    std::string status;
    EXPECT_TRUE(WaitUntil([&] {
      status = stack.MessageStatus(key, fresh);
      return status == "delivered" || status == "failed";
    }, std::chrono::seconds(40))) << fresh;
    delivered_again += status == "delivered" ? 1 : 0;
  }
  // Money: paid for exactly what was delivered, first time or replayed.
  EXPECT_TRUE(WaitUntil([&] { return stack.Balance(account) == 10 * (dead - delivered_again); })) << stack.Balance(account);
  // purge: refused without --yes, done with it.
  if (Int(stack, {"XLEN", "q:dlq"}) > 0) {
    CommandResult unsure = stack.Smsctl({"dlq", "purge", "--all"});
    EXPECT_EQ(unsure.exit_code, 2);
    EXPECT_NE(unsure.err.find("--yes"), std::string::npos);
    EXPECT_EQ(stack.Smsctl({"dlq", "purge", "--all", "--yes"}).exit_code, 0);
  }
  EXPECT_EQ(Int(stack, {"XLEN", "q:dlq"}), 0);
}

TEST(SchedDlqTest, ValidityPassedWhileWaitingBecomesExpiredAndRefunded) {
  Stack stack;
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("validity", 10, 100);
  stack.process("smsgw-smsc-sim")->Kill();  // nothing is sent meanwhile
  const std::string id = Send(stack, key, R"({"to":"+989121234567","text":"soon stale","validity_s":1})");
  const std::string kept = Send(stack, key, R"({"to":"+989121234568","text":"no hurry"})");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // let the validity pass (the scenario, not a wait for a condition)
  stack.Start("smsgw-smsc-sim");
  EXPECT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, id) == "expired"; })) << stack.MessageStatus(key, id);
  EXPECT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, kept) == "delivered"; }));
  EXPECT_EQ(stack.Balance(account), 90);
}

}  // namespace
}  // namespace smsgw::testing
