// smsgw-ledger's batch calls through its real gRPC interface: exact money under concurrent
// batches, one charge per message id, per-item answers in request order, and whole-call
// refusal of invalid batches.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>
#include <tuple>

#include "proto/smsgw.pb.h"
#include "ledger_requests.h"
#include "rpc/clients.h"
#include "stack.h"

namespace smsgw::testing {
namespace {

class LedgerBatchTest : public ::testing::Test {
 protected:
  LedgerBatchTest() : stack_(Stack::LedgerOnly()), ledger_(stack_.ledger_address(), std::chrono::seconds(20)) {}

  v1::DebitBatchReply Debits(const std::vector<v1::DebitRequest>& items) {
    v1::DebitBatchRequest req;
    for (const auto& i : items) *req.add_items() = i;
    Result<v1::DebitBatchReply> r = ledger_.DebitBatch(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : v1::DebitBatchReply{};
  }
  v1::CaptureBatchReply Captures(const std::vector<v1::CaptureRequest>& items) {
    v1::CaptureBatchRequest req;
    for (const auto& i : items) *req.add_items() = i;
    Result<v1::CaptureBatchReply> r = ledger_.CaptureBatch(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : v1::CaptureBatchReply{};
  }
  v1::RefundBatchReply Refunds(const std::vector<v1::RefundRequest>& items) {
    v1::RefundBatchRequest req;
    for (const auto& i : items) *req.add_items() = i;
    Result<v1::RefundBatchReply> r = ledger_.RefundBatch(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : v1::RefundBatchReply{};
  }
  v1::BalanceReply Balance(int64_t account) {
    Result<v1::BalanceReply> r = ledger_.GetBalance(account);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : v1::BalanceReply{};
  }
  std::string Hold(int64_t account, const std::string& id) { return stack_.Hold(account, id); }

  Stack stack_;
  rpc::LedgerClient ledger_;
};

TEST_F(LedgerBatchTest, ConcurrentBatchesNeverOverdrawAndUseTheLastUnit) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("race", 7, 1000);
  std::atomic<int> ok{0};
  std::atomic<int> refused{0};
  std::atomic<int> failed_calls{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < 5; ++b) {
        v1::DebitBatchRequest req;
        for (int i = 0; i < 10; ++i) {
          *req.add_items() = DebitItem(account, "m-" + std::to_string(t) + "-" + std::to_string(b) + "-" + std::to_string(i), 7);
        }
        Result<v1::DebitBatchReply> r = ledger_.DebitBatch(req);
        if (!r.ok()) {
          ++failed_calls;
          continue;
        }
        for (const auto& item : r->items()) {
          if (item.result() == v1::LEDGER_OK) ++ok;
          if (item.result() == v1::LEDGER_INSUFFICIENT_FUNDS) ++refused;
          if (item.balance() < 0) ++failed_calls;  // never reported below zero
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed_calls.load(), 0);
  EXPECT_EQ(ok.load(), 1000 / 7);  // 142: every affordable debit succeeded
  EXPECT_EQ(refused.load(), 400 - 1000 / 7);
  EXPECT_EQ(Balance(account).balance(), 1000 % 7);  // 6 left, never below zero
  EXPECT_EQ(Balance(account).held(), 142 * 7);

  // The last unit is usable, and nothing past it.
  v1::DebitBatchReply last = Debits({DebitItem(account, "last-6", 6), DebitItem(account, "one-more", 1)});
  ASSERT_EQ(last.items_size(), 2);
  EXPECT_EQ(last.items(0).result(), v1::LEDGER_OK);
  EXPECT_EQ(last.items(0).balance(), 0);
  EXPECT_EQ(last.items(1).result(), v1::LEDGER_INSUFFICIENT_FUNDS);
  EXPECT_EQ(Balance(account).balance(), 0);
  EXPECT_EQ(Balance(account).held(), 1000);
}

TEST_F(LedgerBatchTest, AMessageIdDebitedTwiceIsChargedOnce) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("twice", 10, 100);
  // Twice in one batch: both items answer OK, the money moves once.
  v1::DebitBatchReply r = Debits({DebitItem(account, "dup", 30), DebitItem(account, "other", 5), DebitItem(account, "dup", 30)});
  ASSERT_EQ(r.items_size(), 3);
  EXPECT_EQ(r.items(0).result(), v1::LEDGER_OK);
  EXPECT_EQ(r.items(0).balance(), 70);
  EXPECT_EQ(r.items(1).balance(), 65);
  EXPECT_EQ(r.items(2).result(), v1::LEDGER_OK);
  EXPECT_EQ(r.items(2).balance(), 65);
  // Again in later batches, concurrently: still once.
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) threads.emplace_back([&] { Debits({DebitItem(account, "dup", 30), DebitItem(account, "other", 5)}); });
  for (auto& th : threads) th.join();
  EXPECT_EQ(Balance(account).balance(), 65);
  EXPECT_EQ(Balance(account).held(), 35);
  EXPECT_EQ(Hold(account, "dup").rfind("held:30:", 0), 0u) << Hold(account, "dup");  // then its expiry
}

TEST_F(LedgerBatchTest, CaptureBatchAnswersEachItemInOrder) {
  int64_t a = 0;
  std::string key_a;
  std::tie(a, key_a) = stack_.CreateFundedAccount("capture-a", 10, 100);
  int64_t b = 0;
  std::string key_b;
  std::tie(b, key_b) = stack_.CreateFundedAccount("capture-b", 10, 100);
  Debits({DebitItem(a, "c1", 10), DebitItem(a, "c2", 20), DebitItem(b, "c3", 30), DebitItem(a, "c4", 5)});
  ASSERT_EQ(ledger_.Refund(a, "c2", "test")->result(), v1::LEDGER_OK);

  v1::CaptureBatchReply r = Captures(
      {CaptureItem(a, "c1"), CaptureItem(a, "c2"), CaptureItem(a, "never-debited"), CaptureItem(b, "c3"),
       CaptureItem(b, "c1") /* c1 is account a's */, CaptureItem(a, "c4"), CaptureItem(a, "c1")});
  ASSERT_EQ(r.items_size(), 7);
  EXPECT_EQ(r.items(0).result(), v1::LEDGER_OK);
  EXPECT_EQ(r.items(1).result(), v1::LEDGER_HOLD_REFUNDED);
  EXPECT_EQ(r.items(2).result(), v1::LEDGER_HOLD_UNKNOWN);
  EXPECT_EQ(r.items(3).result(), v1::LEDGER_OK);
  EXPECT_EQ(r.items(4).result(), v1::LEDGER_HOLD_UNKNOWN);
  EXPECT_EQ(r.items(5).result(), v1::LEDGER_OK);
  EXPECT_EQ(r.items(6).result(), v1::LEDGER_OK);  // captured twice: a no-op the second time

  EXPECT_EQ(Hold(a, "c1"), "charged:10");
  EXPECT_EQ(Hold(a, "c2"), "refunded:20");
  EXPECT_EQ(Hold(b, "c3"), "charged:30");
  EXPECT_EQ(Hold(a, "c4"), "charged:5");
  EXPECT_EQ(Balance(a).balance(), 85);
  EXPECT_EQ(Balance(a).held(), 0);
  EXPECT_EQ(Balance(b).balance(), 70);
  EXPECT_EQ(Balance(b).held(), 0);
  // A captured hold leaves the expiry index: the sweeper has nothing to do with it.
  EXPECT_TRUE(stack_.redis().Run({"ZSCORE", "ledger:hold_expiry", std::to_string(a) + ":c1"})->is_nil());
}

TEST_F(LedgerBatchTest, RefundBatchRefundsOnce) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("refunds", 10, 100);
  Debits({DebitItem(account, "r1", 10), DebitItem(account, "r2", 20), DebitItem(account, "r3", 40)});
  ASSERT_EQ(Captures({CaptureItem(account, "r2")}).items(0).result(), v1::LEDGER_OK);
  EXPECT_EQ(Balance(account).balance(), 30);

  v1::RefundBatchReply r = Refunds({RefundItem(account, "r1"), RefundItem(account, "r2"), RefundItem(account, "r1"),
                                    RefundItem(account, "nope")});
  ASSERT_EQ(r.items_size(), 4);
  EXPECT_EQ(r.items(0).result(), v1::LEDGER_OK);
  EXPECT_FALSE(r.items(0).duplicate());
  EXPECT_EQ(r.items(0).balance(), 40);
  EXPECT_EQ(r.items(1).result(), v1::LEDGER_OK);  // from charged
  EXPECT_FALSE(r.items(1).duplicate());
  EXPECT_EQ(r.items(1).balance(), 60);
  EXPECT_EQ(r.items(2).result(), v1::LEDGER_OK);
  EXPECT_TRUE(r.items(2).duplicate());
  EXPECT_EQ(r.items(2).balance(), 60);
  EXPECT_EQ(r.items(3).result(), v1::LEDGER_HOLD_UNKNOWN);

  // Concurrent batches refunding the same holds return the money once.
  std::atomic<int> fresh{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      const v1::RefundBatchReply r = Refunds({RefundItem(account, "r3"), RefundItem(account, "r1")});
      for (const auto& item : r.items()) {
        if (item.result() == v1::LEDGER_OK && !item.duplicate()) ++fresh;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(fresh.load(), 1);  // r3
  EXPECT_EQ(Balance(account).balance(), 100);
  EXPECT_EQ(Balance(account).held(), 0);
  EXPECT_EQ(Captures({CaptureItem(account, "r3")}).items(0).result(), v1::LEDGER_HOLD_REFUNDED);
}

TEST_F(LedgerBatchTest, AnInvalidItemOrTooManyItemsRefuseTheWholeCall) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("invalid", 10, 1'000'000);
  struct Case {
    v1::DebitRequest item;
    std::string says;
  };
  const std::vector<Case> cases = {{DebitItem(0, "x", 1), "account_id"},
                                   {DebitItem(account, "", 1), "message_id"},
                                   {DebitItem(account, "x", -1), "cost"},
                                   {DebitItem(account, "x", 1, 0), "ttl_s"}};
  for (const Case& c : cases) {
    v1::DebitBatchRequest req;
    *req.add_items() = DebitItem(account, "fine-1", 1);
    *req.add_items() = DebitItem(account, "fine-2", 1);
    *req.add_items() = c.item;
    Result<v1::DebitBatchReply> r = ledger_.DebitBatch(req);
    ASSERT_FALSE(r.ok()) << c.says;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << r.status().ToString();
    EXPECT_NE(r.status().message().find("item 2"), std::string::npos) << r.status().ToString();
    EXPECT_NE(r.status().message().find(c.says), std::string::npos) << r.status().ToString();
  }
  EXPECT_EQ(Balance(account).balance(), 1'000'000);  // nothing of a refused call was debited

  v1::CaptureBatchRequest captures;
  *captures.add_items() = CaptureItem(account, "fine");
  *captures.add_items() = CaptureItem(account, "");
  EXPECT_EQ(ledger_.CaptureBatch(captures).status().code(), ErrorCode::kInvalidArgument);
  v1::RefundBatchRequest refunds;
  *refunds.add_items() = RefundItem(-3, "x");
  Result<v1::RefundBatchReply> refused = ledger_.RefundBatch(refunds);
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("item 0"), std::string::npos) << refused.status().ToString();

  // 5,000 items is the most one call takes.
  v1::DebitBatchRequest big;
  for (int i = 0; i < 5001; ++i) *big.add_items() = DebitItem(account, "big-" + std::to_string(i), 1);
  Result<v1::DebitBatchReply> too_many = ledger_.DebitBatch(big);
  EXPECT_EQ(too_many.status().code(), ErrorCode::kInvalidArgument) << too_many.status().ToString();
  EXPECT_NE(too_many.status().message().find("5001"), std::string::npos) << too_many.status().ToString();
  EXPECT_EQ(Balance(account).balance(), 1'000'000);
  big.mutable_items()->RemoveLast();
  Result<v1::DebitBatchReply> most = ledger_.DebitBatch(big);
  ASSERT_TRUE(most.ok()) << most.status().ToString();
  ASSERT_EQ(most->items_size(), 5000);
  EXPECT_EQ(most->items(4999).result(), v1::LEDGER_OK);
  EXPECT_EQ(most->items(4999).balance(), 1'000'000 - 5000);

  // An empty batch is answered with no items.
  Result<v1::DebitBatchReply> none = ledger_.DebitBatch(v1::DebitBatchRequest{});
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(none->items_size(), 0);
}

// A bounded load: 8 client threads, each sending SMSGW_LEDGER_LOAD_CALLS (default 25) DebitBatch
// calls of 100 items over its own channel. Prints calls/s and items/s; the money must be exact.
TEST_F(LedgerBatchTest, BatchLoadKeepsMoneyExact) {
  const char* env = std::getenv("SMSGW_LEDGER_LOAD_CALLS");
  const int calls = env != nullptr ? std::max(1, std::min(std::atoi(env), 2000)) : 25;
  constexpr int kThreads = 8;
  constexpr int kItems = 100;
  const int64_t total = int64_t{kThreads} * calls * kItems;
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("load", 3, total * 3);
  std::atomic<int64_t> ok{0};
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      rpc::LedgerClient client(stack_.ledger_address(), std::chrono::seconds(20));
      for (int c = 0; c < calls; ++c) {
        v1::DebitBatchRequest req;
        for (int i = 0; i < kItems; ++i) {
          *req.add_items() = DebitItem(account, std::to_string(t) + "-" + std::to_string(c) + "-" + std::to_string(i), 3);
        }
        Result<v1::DebitBatchReply> r = client.DebitBatch(req);
        if (!r.ok()) continue;
        for (const auto& item : r->items()) ok += item.result() == v1::LEDGER_OK;
      }
    });
  }
  for (auto& th : threads) th.join();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "DebitBatch of " << kItems << " items, " << kThreads << " client threads: " << kThreads * calls / s
            << " calls/s, " << total / s << " items/s (" << total << " items in " << s << " s)\n";
  EXPECT_EQ(ok.load(), total);
  EXPECT_EQ(Balance(account).balance(), 0);
  EXPECT_EQ(Balance(account).held(), total * 3);
  // The flusher ran all along: PostgreSQL ends at the same balance, no delta left behind.
  const std::string sql = "SELECT balance FROM accounts WHERE id = " + std::to_string(account);
  EXPECT_TRUE(WaitUntil([&] { return stack_.Sql(sql) == "0"; })) << stack_.Sql(sql);
}

}  // namespace
}  // namespace smsgw::testing
