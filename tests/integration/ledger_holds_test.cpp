// Holds through the ledger's real gRPC interface, against the races and edges of the review:
// an expiry racing captures never refunds a sent message (C1), a capture after the TTL fails
// (m2), a refund that overtakes its debit makes that debit refused (M9), amounts beyond a
// double's precision stay exact (m11), and holds, top-up bookkeeping and flush bookkeeping are
// bounded (M13).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <tuple>

#include "common/time.h"
#include "ledger_requests.h"
#include "proto/smsgw.pb.h"
#include "rpc/clients.h"
#include "stack.h"

namespace smsgw::testing {
namespace {

class LedgerHoldsTest : public ::testing::Test {
 protected:
  explicit LedgerHoldsTest(Stack::Options options = Stack::LedgerOnly())
      : stack_(std::move(options)), ledger_(stack_.ledger_address(), std::chrono::seconds(20)) {}

  v1::DebitReply Debit(int64_t account, const std::string& id, int64_t cost, int64_t ttl_s = 3600) {
    Result<v1::DebitReply> r = ledger_.Debit(DebitItem(account, id, cost, ttl_s));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : v1::DebitReply{};
  }
  v1::LedgerResult Capture(int64_t account, const std::string& id) {
    Result<v1::CaptureReply> r = ledger_.Capture(account, id);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->result() : v1::LedgerResult(-1);
  }
  std::string Field(int64_t account, const std::string& field) {
    Result<redis::Reply> r = stack_.redis().Run({"HGET", "{a:" + std::to_string(account) + "}:acct", field});
    return r.ok() ? r->str : "";
  }
  std::string Sql(int64_t account, const std::string& columns) {
    return stack_.Sql("SELECT " + columns + " FROM accounts WHERE id = " + std::to_string(account));
  }
  // The message ids of the account's `expired` events.
  std::set<std::string> ExpiredEvents(int64_t account) {
    Result<redis::Reply> entries = stack_.redis().Run({"XRANGE", "ev:report", "-", "+"});
    EXPECT_TRUE(entries.ok());
    std::set<std::string> ids;
    for (const auto& entry : entries->elements) {
      v1::StatusEvent ev;
      if (ev.ParseFromString(entry.elements[1].elements[1].str) && ev.account_id() == account &&
          ev.status() == v1::STATUS_EXPIRED) {
        ids.insert(ev.message_id());
      }
    }
    return ids;
  }
  int64_t Balance(int64_t account) { return LedgerBalance(ledger_, account); }

  Stack stack_;
  rpc::LedgerClient ledger_;
};

// Review C1 under load: 400 holds with a 1 s TTL, captured by 8 threads at times spread over
// 2 s, while the sweeper runs every 200 ms. Each hold ends either charged (its capture said OK:
// the message goes out) or expired (its capture was refused), never both, and the money adds up.
TEST_F(LedgerHoldsTest, AnExpiryRacingCapturesNeverRefundsASentMessage) {
  constexpr int kHolds = 400;
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("race", 1, kHolds);
  v1::DebitBatchRequest debits;
  for (int i = 0; i < kHolds; ++i) *debits.add_items() = DebitItem(account, "h" + std::to_string(i), 1, 1);
  ASSERT_TRUE(ledger_.DebitBatch(debits).ok());
  const auto start = std::chrono::steady_clock::now();

  std::vector<v1::LedgerResult> captured(kHolds);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kHolds; i += 8) {
        // Paces the captures across the expiry (load shape, not synchronisation).
        std::this_thread::sleep_until(start + std::chrono::milliseconds(i * 2000 / kHolds));
        captured[i] = Capture(account, "h" + std::to_string(i));
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(WaitUntil([&] { return Field(account, "held") == "0"; }, std::chrono::seconds(20)));

  int charged = 0;
  int expired = 0;
  // Every expired hold's event is out once the sweeper has passed them all.
  ASSERT_TRUE(WaitUntil([&] { return stack_.redis().Run({"ZCARD", "ledger:hold_expiry"})->integer == 0; }));
  const std::set<std::string> events = ExpiredEvents(account);
  for (int i = 0; i < kHolds; ++i) {
    const std::string id = "h" + std::to_string(i);
    const std::string hold = stack_.Hold(account, id);
    if (captured[i] == v1::LEDGER_OK) {
      ++charged;
      EXPECT_EQ(hold, "charged:1") << id;
      EXPECT_EQ(events.count(id), 0u) << id << ": an expired event for a message being sent";
    } else {
      ++expired;
      EXPECT_EQ(captured[i], v1::LEDGER_HOLD_REFUNDED) << id;
      EXPECT_EQ(hold, "expired:1") << id;
      EXPECT_EQ(events.count(id), 1u) << id;
    }
  }
  EXPECT_GT(charged, 0);
  EXPECT_GT(expired, 0) << "every capture came before the expiry: the race was not run";
  EXPECT_EQ(Balance(account), expired);
  EXPECT_EQ(Field(account, "charged"), std::to_string(charged));
  EXPECT_EQ(Field(account, "expired"), std::to_string(expired));
  EXPECT_EQ(Field(account, "refunded"), "0");
  EXPECT_TRUE(WaitUntil([&] {
    return Sql(account, "charged || ' ' || expired || ' ' || held") ==
           std::to_string(charged) + " " + std::to_string(expired) + " 0";
  }));
}

// Review M9: the API gave up on a Debit whose reply was lost and refunded it at once, but the
// ledger ran that refund before the debit. The refund leaves a tombstone; the late debit is
// refused with HOLD_REFUNDED and takes no money, and the message can never be captured.
TEST_F(LedgerHoldsTest, ARefundThatOvertakesItsDebitMakesTheDebitRefused) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("m9", 10, 100);
  Result<v1::RefundReply> refund = ledger_.Refund(account, "late", "debit reply lost");
  ASSERT_TRUE(refund.ok());
  EXPECT_EQ(refund->result(), v1::LEDGER_HOLD_UNKNOWN);
  EXPECT_EQ(Debit(account, "late", 40).result(), v1::LEDGER_HOLD_REFUNDED);
  EXPECT_EQ(Balance(account), 100);
  EXPECT_EQ(Field(account, "held"), "0");
  EXPECT_EQ(Capture(account, "late"), v1::LEDGER_HOLD_REFUNDED);
  EXPECT_EQ(ledger_.Refund(account, "late", "again")->result(), v1::LEDGER_HOLD_UNKNOWN);
  EXPECT_EQ(Balance(account), 100);
  // A debit that is refunded normally is refused too if sent again: its message must not go.
  ASSERT_EQ(Debit(account, "normal", 30).result(), v1::LEDGER_OK);
  ASSERT_EQ(ledger_.Refund(account, "normal", "enqueue failed")->result(), v1::LEDGER_OK);
  EXPECT_EQ(Debit(account, "normal", 30).result(), v1::LEDGER_HOLD_REFUNDED);
  EXPECT_EQ(Balance(account), 100);
}

// Review m11: money never becomes a Lua number (a double): amounts beyond 2^53 stay exact, in
// Redis and in PostgreSQL.
TEST_F(LedgerHoldsTest, AmountsBeyondADoublesPrecisionStayExact) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("big", 1, 0);
  const std::string big = "9007199254740993";  // 2^53 + 1: a double reads 2^53
  ASSERT_EQ(stack_.Smsctl({"topup", std::to_string(account), big, "--ref", "big"}).exit_code, 0);
  EXPECT_EQ(Balance(account), 9007199254740993);
  ASSERT_EQ(Debit(account, "a", 3).result(), v1::LEDGER_OK);
  EXPECT_EQ(Balance(account), 9007199254740990);
  ASSERT_EQ(Debit(account, "b", 9007199254740991).result(), v1::LEDGER_INSUFFICIENT_FUNDS);
  ASSERT_EQ(Debit(account, "c", 9007199254740990).result(), v1::LEDGER_OK);  // the last unit is usable
  EXPECT_EQ(Balance(account), 0);
  EXPECT_EQ(Capture(account, "c"), v1::LEDGER_OK);
  EXPECT_EQ(Field(account, "charged"), "9007199254740990");
  EXPECT_TRUE(WaitUntil([&] {
    return Sql(account, "held || ' ' || charged || ' ' || balance") == "3 9007199254740990 0";
  })) << Sql(account, "held || ' ' || charged || ' ' || balance");
}

// Review M13: one top-up bookkeeping entry per applied top-up is gone (a sequence number says
// what Redis has), ledger_flushes is gone, and the hourly activity is one row however many
// flushes there are.
TEST_F(LedgerHoldsTest, BookkeepingDoesNotGrowWithTopUpsOrFlushes) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("books", 1, 0);
  const std::string id = std::to_string(account);
  for (int i = 0; i < 30; ++i) {
    ASSERT_EQ(stack_.Smsctl({"topup", id, "10", "--ref", "pay-" + std::to_string(i)}).exit_code, 0);
  }
  EXPECT_EQ(Balance(account), 300);
  EXPECT_EQ(Field(account, "topup_seq"), "30");
  EXPECT_EQ(stack_.redis().Run({"SCARD", "{a:" + id + "}:topups"})->integer, 0);
  for (int i = 0; i < 10; ++i) {  // ten rounds of debits, each flushed before the next
    ASSERT_EQ(Debit(account, "d" + std::to_string(i), 5).result(), v1::LEDGER_OK);
    const std::string held = std::to_string(5 * (i + 1));
    ASSERT_TRUE(WaitUntil([&] { return Sql(account, "held::text") == held; }));
  }
  EXPECT_EQ(stack_.Sql("SELECT to_regclass('ledger_flushes') IS NULL"), "t");
  EXPECT_LE(std::stoi(stack_.Sql("SELECT count(*) FROM ledger_activity WHERE account_id = " + id)), 2);
  EXPECT_EQ(stack_.Sql("SELECT sum(debits) FROM ledger_activity WHERE account_id = " + id), "50");
}

// Review m2: a hold past its TTL that the sweeper has not reached (here it runs once a
// minute) cannot be captured; it expires at that moment and its money goes back.
class LedgerSlowSweepTest : public LedgerHoldsTest {
 protected:
  static Stack::Options SlowSweep() {
    Stack::Options o = Stack::LedgerOnly();
    o.ledger_sweep_interval_ms = 60000;
    return o;
  }
  LedgerSlowSweepTest() : LedgerHoldsTest(SlowSweep()) {}
};

TEST_F(LedgerSlowSweepTest, ACaptureAfterTheTtlFailsEvenBeforeTheSweep) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("m2", 10, 100);
  const int64_t debited_at = NowMs();
  ASSERT_EQ(Debit(account, "late", 30, /*ttl_s=*/1).result(), v1::LEDGER_OK);
  ASSERT_EQ(Debit(account, "fresh", 20, /*ttl_s=*/3600).result(), v1::LEDGER_OK);
  ASSERT_TRUE(WaitUntil([&] { return NowMs() > debited_at + 1100; }));  // the clock passes the TTL
  EXPECT_EQ(Capture(account, "late"), v1::LEDGER_HOLD_REFUNDED);
  EXPECT_EQ(stack_.Hold(account, "late"), "expired:30");
  EXPECT_EQ(Capture(account, "fresh"), v1::LEDGER_OK);
  EXPECT_EQ(Balance(account), 80);
  EXPECT_EQ(Field(account, "held"), "0");
}

// Review M13: holds are kept for ledger.hold_retention_s (7 s here, one bucket a second), then
// go with their bucket; a hold that old is unknown, and a late refund of it returns nothing.
class LedgerRetentionTest : public LedgerHoldsTest {
 protected:
  static Stack::Options ShortRetention() {
    Stack::Options o = Stack::LedgerOnly();
    o.ledger_toml = "hold_retention_s = 7\n";
    o.api_toml = "hold_ttl_s = 6\n";
    return o;
  }
  LedgerRetentionTest() : LedgerHoldsTest(ShortRetention()) {}
};

TEST_F(LedgerRetentionTest, HoldsArePrunedAfterTheRetention) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("prune", 10, 100);
  ASSERT_EQ(Debit(account, "old", 30, /*ttl_s=*/6).result(), v1::LEDGER_OK);
  ASSERT_EQ(Capture(account, "old"), v1::LEDGER_OK);
  EXPECT_EQ(stack_.Hold(account, "old"), "charged:30");
  // Longer than the retention allows: refused, naming the limit.
  Result<v1::DebitReply> too_long = ledger_.Debit(DebitItem(account, "long", 1, 7));
  EXPECT_EQ(too_long.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(too_long.status().message().find("hold_retention_s"), std::string::npos);

  ASSERT_TRUE(WaitUntil([&] { return stack_.Hold(account, "old").empty(); }, std::chrono::seconds(20)));
  EXPECT_EQ(ledger_.Refund(account, "old", "too late")->result(), v1::LEDGER_HOLD_UNKNOWN);
  EXPECT_EQ(Balance(account), 70);
  // Every bucket key carries its expiry: none is kept for ever.
  Result<redis::Reply> buckets = stack_.redis().Run({"KEYS", "{a:" + std::to_string(account) + "}:holds:*"});
  ASSERT_TRUE(buckets.ok());
  for (const redis::Reply& b : buckets->elements) {
    const int64_t ttl = stack_.redis().Run({"PTTL", b.str})->integer;
    EXPECT_GT(ttl, 0) << b.str;
    EXPECT_LE(ttl, 9000) << b.str;
  }
}

}  // namespace
}  // namespace smsgw::testing
