// smsgw-ledger's background work against the crash points and races of a pipeline whose
// global keys are written by plain commands around per-account scripts: hold expiry never
// touches a captured hold (review C1), never loses an `expired` event, and a delta whose dirty
// mark was lost is still flushed.
#include <gtest/gtest.h>

#include <chrono>
#include <tuple>

#include "proto/smsgw.pb.h"
#include "rpc/clients.h"
#include "stack.h"

namespace smsgw::testing {
namespace {

class LedgerSweepTest : public ::testing::Test {
 protected:
  LedgerSweepTest() : stack_(Stack::LedgerOnly()), ledger_(stack_.ledger_address()) {}

  v1::DebitBatchReply Debits(int64_t account, const std::vector<std::pair<std::string, int64_t>>& holds,
                             int64_t ttl_s) {
    v1::DebitBatchRequest req;
    for (const auto& [id, cost] : holds) {
      v1::DebitRequest* item = req.add_items();
      item->set_account_id(account);
      item->set_message_id(id);
      item->set_cost(cost);
      item->set_ttl_s(ttl_s);
    }
    Result<v1::DebitBatchReply> r = ledger_.DebitBatch(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : v1::DebitBatchReply{};
  }
  std::string Tag(int64_t account) { return "{a:" + std::to_string(account) + "}"; }
  std::string Field(int64_t account, const std::string& field) {
    return stack_.redis().Run({"HGET", Tag(account) + ":acct", field})->str;
  }
  std::string Hold(int64_t account, const std::string& id) { return stack_.Hold(account, id); }
  bool Indexed(int64_t account, const std::string& id) {
    return !stack_.redis().Run({"ZSCORE", "ledger:hold_expiry", std::to_string(account) + ":" + id})->is_nil();
  }
  // `expired` events for the message in ev:report.
  int ExpiredEvents(const std::string& id) {
    Result<redis::Reply> entries = stack_.redis().Run({"XRANGE", "ev:report", "-", "+"});
    EXPECT_TRUE(entries.ok());
    int n = 0;
    for (const auto& entry : entries->elements) {
      v1::StatusEvent ev;
      if (ev.ParseFromString(entry.elements[1].elements[1].str) && ev.message_id() == id &&
          ev.status() == v1::STATUS_EXPIRED) {
        ++n;
      }
    }
    return n;
  }
  int64_t Balance(int64_t account) { return LedgerBalance(ledger_, account); }

  Stack stack_;
  rpc::LedgerClient ledger_;
};

// Review C1: the sweeper read a due entry, then the hold was captured (its message is being
// sent) before the sweeper's step for it ran. Re-adding the captured hold's entry, due, puts
// the sweeper exactly there.
TEST_F(LedgerSweepTest, ACapturedHoldIsNeverExpired) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("c1", 10, 100);
  v1::DebitBatchReply debits = Debits(account, {{"captured", 30}, {"held", 20}}, /*ttl_s=*/1);
  ASSERT_EQ(debits.items(0).result(), v1::LEDGER_OK);
  ASSERT_EQ(debits.items(1).result(), v1::LEDGER_OK);
  ASSERT_EQ(ledger_.Capture(account, "captured")->result(), v1::LEDGER_OK);
  EXPECT_FALSE(Indexed(account, "captured"));
  ASSERT_TRUE(stack_.redis().Run({"ZADD", "ledger:hold_expiry", "1", std::to_string(account) + ":captured"}).ok());

  // Only the sweeper removes these entries; `held` falls due after its 1 s TTL.
  ASSERT_TRUE(WaitUntil([&] { return !Indexed(account, "captured") && !Indexed(account, "held"); },
                        std::chrono::seconds(10)));
  EXPECT_EQ(Hold(account, "captured"), "charged:30");
  EXPECT_EQ(Hold(account, "held"), "expired:20");
  EXPECT_EQ(Balance(account), 70);  // 30 charged, 20 back
  EXPECT_EQ(Field(account, "held"), "0");
  EXPECT_EQ(Field(account, "charged"), "30");
  EXPECT_EQ(Field(account, "refunded"), "0");
  EXPECT_EQ(ExpiredEvents("captured"), 0);
  EXPECT_EQ(ExpiredEvents("held"), 1);
  EXPECT_EQ(ledger_.Capture(account, "held")->result(), v1::LEDGER_HOLD_REFUNDED);
}

// A crash between the sweeper's two steps: the hold is `expired` but its event was never
// appended and its index entry is still there. The next pass sends the event, once, and does
// not return the money again.
TEST_F(LedgerSweepTest, AnExpiryWhoseEventWasLostIsSentAgain) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("resend", 10, 100);
  ASSERT_EQ(Debits(account, {{"e1", 30}}, /*ttl_s=*/1).items(0).result(), v1::LEDGER_OK);
  ASSERT_TRUE(WaitUntil([&] { return ExpiredEvents("e1") == 1; }, std::chrono::seconds(10)));
  EXPECT_EQ(Balance(account), 100);

  ASSERT_TRUE(stack_.redis().Run({"DEL", "ev:report"}).ok());
  ASSERT_TRUE(stack_.redis().Run({"ZADD", "ledger:hold_expiry", "1", std::to_string(account) + ":e1"}).ok());
  ASSERT_TRUE(WaitUntil([&] { return !Indexed(account, "e1"); }, std::chrono::seconds(10)));
  EXPECT_EQ(ExpiredEvents("e1"), 1);
  EXPECT_EQ(Hold(account, "e1"), "expired:30");
  EXPECT_EQ(Balance(account), 100);
  EXPECT_EQ(Field(account, "held"), "0");
}

// Index entries written before a debit that was refused, or left by a refund, are harmless: the
// sweeper drops them without an event or any money moving.
TEST_F(LedgerSweepTest, EntriesOfRefusedOrRefundedDebitsAreDroppedQuietly) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("quiet", 10, 10);
  v1::DebitBatchReply r = Debits(account, {{"paid", 10}, {"too-poor", 10}}, /*ttl_s=*/1);
  ASSERT_EQ(r.items(0).result(), v1::LEDGER_OK);
  ASSERT_EQ(r.items(1).result(), v1::LEDGER_INSUFFICIENT_FUNDS);
  ASSERT_EQ(ledger_.Refund(account, "paid", "test")->result(), v1::LEDGER_OK);
  ASSERT_TRUE(WaitUntil([&] { return !Indexed(account, "paid") && !Indexed(account, "too-poor"); },
                        std::chrono::seconds(10)));
  EXPECT_EQ(ExpiredEvents("paid"), 0);
  EXPECT_EQ(ExpiredEvents("too-poor"), 0);
  EXPECT_EQ(Hold(account, "paid"), "refunded:10");
  EXPECT_EQ(Hold(account, "too-poor"), "");
  EXPECT_EQ(Balance(account), 10);
  EXPECT_EQ(Field(account, "held"), "0");
}

// A crash between a debit's script and the SADD after it, while a flush had just taken the
// account out of ledger:dirty, leaves a change no mark points to. The next start finds it by
// comparing Redis with PostgreSQL.
TEST_F(LedgerSweepTest, AChangeWhoseDirtyMarkWasLostIsFlushedAfterARestart) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("lost-mark", 10, 1000);
  ASSERT_EQ(Debits(account, {{"d1", 100}}, 3600).items(0).result(), v1::LEDGER_OK);
  const std::string sql = "SELECT balance FROM accounts WHERE id = " + std::to_string(account);
  ASSERT_TRUE(WaitUntil([&] { return stack_.Sql(sql) == "900"; })) << stack_.Sql(sql);
  ASSERT_TRUE(WaitUntil([&] {
    return stack_.redis().Run({"SISMEMBER", "ledger:dirty", std::to_string(account)})->integer == 0;
  }));

  stack_.process("smsgw-ledger")->Kill();
  // What the debit script of a 5-unit hold leaves, without its dirty mark.
  const std::string acct = Tag(account) + ":acct";
  for (const auto& [field, by] : std::vector<std::pair<std::string, std::string>>{
           {"balance", "-5"}, {"held", "5"}, {"ops", "1"}}) {
    ASSERT_TRUE(stack_.redis().Run({"HINCRBY", acct, field, by}).ok());
  }
  stack_.Start("smsgw-ledger");
  EXPECT_TRUE(WaitUntil([&] { return stack_.Sql(sql) == "895"; })) << stack_.Sql(sql);
  EXPECT_EQ(stack_.Sql("SELECT held FROM accounts WHERE id = " + std::to_string(account)), "105");
  EXPECT_EQ(Balance(account), 895);
}

}  // namespace
}  // namespace smsgw::testing
