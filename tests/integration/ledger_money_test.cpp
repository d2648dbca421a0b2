// smsgw-ledger through its real gRPC interface, under concurrency: never overdraw, never
// refuse what is affordable, and every money path idempotent.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>
#include <tuple>

#include "proto/smsgw.pb.h"
#include "rpc/clients.h"
#include "stack.h"

namespace smsgw::testing {
namespace {

class LedgerMoneyTest : public ::testing::Test {
 protected:
  LedgerMoneyTest() : stack_(Stack::LedgerOnly()), ledger_(stack_.ledger_address()) {}

  v1::DebitReply Debit(int64_t account, const std::string& message_id, int64_t cost, int64_t ttl_s = 3600) {
    v1::DebitRequest req;
    req.set_account_id(account);
    req.set_message_id(message_id);
    req.set_cost(cost);
    req.set_ttl_s(ttl_s);
    Result<v1::DebitReply> r = ledger_.Debit(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : v1::DebitReply{};
  }
  int64_t Balance(int64_t account) { return LedgerBalance(ledger_, account); }

  Stack stack_;
  rpc::LedgerClient ledger_;
};

// 2,000 debits of cost 1 from 16 threads against a balance of 1,000: exactly 1,000 succeed.
TEST_F(LedgerMoneyTest, ConcurrentDebitsNeverOverdrawAndUseTheLastUnit) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("race", 1, 1000);
  std::atomic<int> ok{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 125; ++i) {
        v1::DebitReply r = Debit(account, "m-" + std::to_string(t) + "-" + std::to_string(i), 1);
        if (r.result() == v1::LEDGER_OK) ++ok;
        if (r.result() == v1::LEDGER_INSUFFICIENT_FUNDS) ++refused;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 1000);  // every affordable debit succeeded
  EXPECT_EQ(refused.load(), 1000);
  EXPECT_EQ(Balance(account), 0);  // never below zero
  EXPECT_EQ(ledger_.GetBalance(account)->held(), 1000);
  // PostgreSQL gets the same, at the next flush.
  const std::string sql = "SELECT balance || ' ' || held FROM accounts WHERE id = " + std::to_string(account);
  EXPECT_TRUE(WaitUntil([&] { return stack_.Sql(sql) == "0 1000"; })) << stack_.Sql(sql);
}

TEST_F(LedgerMoneyTest, DebitIsIdempotentOnTheMessageId) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("idem", 10, 100);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) threads.emplace_back([&] { Debit(account, "same-message", 30); });
  for (auto& th : threads) th.join();
  EXPECT_EQ(Balance(account), 70);
}

TEST_F(LedgerMoneyTest, ConcurrentTopUpsWithOneReferenceAddOnce) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("topups", 10, 0);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      CommandResult r = stack_.Smsctl({"topup", std::to_string(account), "500", "--ref", "pay-1"});
      if (r.exit_code != 0) ++failures;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Balance(account), 500);
  EXPECT_EQ(stack_.Sql("SELECT count(*) FROM topups WHERE account_id = " + std::to_string(account)), "1");
  // The same reference with another amount is a conflict, not a silent success.
  CommandResult other = stack_.Smsctl({"topup", std::to_string(account), "600", "--ref", "pay-1"});
  EXPECT_NE(other.exit_code, 0);
  EXPECT_NE(other.err.find("pay-1"), std::string::npos) << other.err;
}

TEST_F(LedgerMoneyTest, RefundReturnsMoneyOnceAndBlocksCapture) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("refund", 10, 100);
  ASSERT_EQ(Debit(account, "r1", 40).result(), v1::LEDGER_OK);
  std::vector<std::thread> threads;
  std::atomic<int> fresh{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      Result<v1::RefundReply> r = ledger_.Refund(account, "r1", "test");
      if (r.ok() && r->result() == v1::LEDGER_OK && !r->duplicate()) ++fresh;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(fresh.load(), 1);
  EXPECT_EQ(Balance(account), 100);
  EXPECT_EQ(ledger_.Capture(account, "r1")->result(), v1::LEDGER_HOLD_REFUNDED);
}

TEST_F(LedgerMoneyTest, CaptureThenRefundAfterChargeReturnsMoneyOnce) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("charged", 10, 100);
  ASSERT_EQ(Debit(account, "c1", 25).result(), v1::LEDGER_OK);
  EXPECT_EQ(ledger_.Capture(account, "c1")->result(), v1::LEDGER_OK);
  EXPECT_EQ(ledger_.Capture(account, "c1")->result(), v1::LEDGER_OK);  // idempotent
  EXPECT_EQ(ledger_.GetBalance(account)->held(), 0);
  EXPECT_FALSE(ledger_.Refund(account, "c1", "failed")->duplicate());
  EXPECT_TRUE(ledger_.Refund(account, "c1", "failed")->duplicate());
  EXPECT_EQ(Balance(account), 100);
  EXPECT_EQ(ledger_.Capture(account, "unknown")->result(), v1::LEDGER_HOLD_UNKNOWN);
}

TEST_F(LedgerMoneyTest, ExpiredHoldsAreRefundedWithAnExpiredEvent) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("expiry", 10, 100);
  ASSERT_EQ(Debit(account, "e1", 30, /*ttl_s=*/1).result(), v1::LEDGER_OK);
  EXPECT_EQ(Balance(account), 70);
  EXPECT_TRUE(WaitUntil([&] { return Balance(account) == 100; }, std::chrono::seconds(10)));
  EXPECT_EQ(ledger_.Capture(account, "e1")->result(), v1::LEDGER_HOLD_REFUNDED);
  Result<redis::Reply> events = stack_.redis().Run({"XRANGE", "ev:report", "-", "+"});
  ASSERT_TRUE(events.ok());
  bool found = false;
  for (const auto& entry : events->elements) {
    v1::StatusEvent ev;
    if (ev.ParseFromString(entry.elements[1].elements[1].str) && ev.message_id() == "e1") {
      found = ev.status() == v1::STATUS_EXPIRED && ev.account_id() == account;
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(LedgerMoneyTest, FlushesBringPostgresToTheRedisBalanceAndSurviveARestart) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("flush", 10, 1000);
  for (int i = 0; i < 20; ++i) ASSERT_EQ(Debit(account, "f" + std::to_string(i), 10).result(), v1::LEDGER_OK);
  ASSERT_TRUE(ledger_.Refund(account, "f0", "test").ok());
  const std::string sql = "SELECT balance FROM accounts WHERE id = " + std::to_string(account);
  EXPECT_TRUE(WaitUntil([&] { return stack_.Sql(sql) == "810"; })) << stack_.Sql(sql);

  // A crash (SIGKILL) and restart: nothing is flushed twice, and the balance stays exact.
  for (int i = 20; i < 25; ++i) ASSERT_EQ(Debit(account, "f" + std::to_string(i), 10).result(), v1::LEDGER_OK);
  stack_.process("smsgw-ledger")->Kill();
  stack_.Start("smsgw-ledger");
  EXPECT_TRUE(WaitUntil([&] { return stack_.Sql(sql) == "760"; })) << stack_.Sql(sql);
  EXPECT_EQ(Balance(account), 760);
  // The reconcile invariant: top-ups = balance + held + charged - refunded.
  EXPECT_EQ(stack_.redis().Run({"HGET", "{a:" + std::to_string(account) + "}:acct", "held"})->str, "240");
}

// smsctl ledger history: top-ups one by one and the hour's movements, newest first, paged; and
// smsctl ledger reconcile: exit 0 while every account adds up in Redis and in PostgreSQL, exit 1
// naming the account as soon as one does not.
TEST_F(LedgerMoneyTest, HistoryAndReconcileThroughSmsctl) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("books", 1, 500);
  const std::string id = std::to_string(account);
  ASSERT_EQ(stack_.Smsctl({"topup", id, "300", "--ref", "second"}).exit_code, 0);
  for (const std::string m : {"d1", "d2", "d3"}) ASSERT_EQ(Debit(account, m, 10).result(), v1::LEDGER_OK);
  ASSERT_EQ(ledger_.Capture(account, "d1")->result(), v1::LEDGER_OK);
  ASSERT_EQ(ledger_.Refund(account, "d2", "canceled")->result(), v1::LEDGER_OK);
  ASSERT_EQ(ledger_.Capture(account, "d3")->result(), v1::LEDGER_OK);
  ASSERT_EQ(ledger_.Refund(account, "d3", "failed")->result(), v1::LEDGER_OK);
  const std::string sql = "SELECT held || ' ' || charged || ' ' || refunded || ' ' || released FROM accounts "
                          "WHERE id = " + id;
  ASSERT_TRUE(WaitUntil([&] { return stack_.Sql(sql) == "0 20 10 10"; })) << stack_.Sql(sql);

  CommandResult history = stack_.Smsctl({"ledger", "history", id, "-o", "json"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  nlohmann::json entries = nlohmann::json::parse(history.out);
  std::vector<std::string> seen;
  std::string previous_time = "~";
  for (const auto& e : entries) {
    seen.push_back(e.at("kind").get<std::string>() + " " + e.at("amount").dump() + " " +
                   (e.at("reference").is_null() ? "-" : e.at("reference").get<std::string>()));
    EXPECT_LE(e.at("time").get<std::string>(), previous_time);  // newest first
    previous_time = e.at("time");
  }
  std::sort(seen.begin(), seen.end());  // the hour's entries may come before or after the top-ups
  EXPECT_EQ(seen, (std::vector<std::string>{"charge 20 -", "debit 30 -", "refund 20 -", "topup 300 second",
                                            "topup 500 initial-books"}));

  CommandResult first = stack_.Smsctl({"ledger", "history", id, "--limit", "2", "-o", "csv"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out.substr(0, first.out.find('\n')), "time,kind,amount,reference");
  const size_t at = first.err.find("--before ");
  ASSERT_NE(at, std::string::npos) << first.err;
  const std::string cursor = first.err.substr(at + 9, first.err.find('\n', at) - at - 9);
  CommandResult rest = stack_.Smsctl({"ledger", "history", id, "--before", cursor, "-o", "json"});
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  EXPECT_EQ(nlohmann::json::parse(rest.out).size(), 3u);
  EXPECT_EQ(rest.err, "");  // no more
  EXPECT_EQ(stack_.Smsctl({"ledger", "history", id, "--before", "garbage"}).exit_code, 2);
  EXPECT_EQ(stack_.Smsctl({"ledger", "history", "999999"}).exit_code, 3);

  CommandResult reconciled = stack_.Smsctl({"ledger", "reconcile", "-o", "json"});
  EXPECT_EQ(reconciled.exit_code, 0) << reconciled.err;
  nlohmann::json rows = nlohmann::json::parse(reconciled.out);
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) {
    EXPECT_EQ(row.at("topups"), 800);
    EXPECT_EQ(row.at("difference"), 0);
    EXPECT_EQ(row.at("status"), "ok");
  }
  EXPECT_EQ(rows[0].at("balance"), 790);

  // Five units appear from nowhere in Redis: reconcile names the account and exits 1.
  ASSERT_TRUE(stack_.redis().Run({"HINCRBY", "{a:" + id + "}:acct", "balance", "5"}).ok());
  CommandResult broken = stack_.Smsctl({"ledger", "reconcile", "--mismatches", "-o", "csv"});
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.err.find("account " + id + " (redis): top-ups 800 but balance + held + charged - refunded = 805"),
            std::string::npos)
      << broken.err;
  EXPECT_NE(broken.out.find(id + ",redis,800,795,0,20,10,-5,MISMATCH"), std::string::npos) << broken.out;
  EXPECT_EQ(broken.out.find("postgres"), std::string::npos) << broken.out;
}

}  // namespace
}  // namespace smsgw::testing
