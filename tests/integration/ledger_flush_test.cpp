// The ledger's write-behind and its comparison with PostgreSQL, driven step by step through its
// library against the stack's real Redis and PostgreSQL (no ledger daemon), so that each test
// can pin the interleaving a review finding describes: a flush round reaches every dirty account
// (m12); a Redis that went back, losing a flush or a top-up PostgreSQL had, neither doubles
// the flush nor loses the top-up (M7); a top-up committed after a reload's snapshot is not lost
// (M14); flushes from several ledgers at once, late or repeated, leave PostgreSQL exact (M14,
// m21: a flush needs no id).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "config/config.h"
#include "keys/keys.h"
#include "ledger/account_store.h"
#include "ledger/flusher.h"
#include "ledger/ledger.h"
#include "ledger/money_store.h"
#include "ledger/resync.h"
#include "ledger/topups.h"
#include "stack.h"

namespace smsgw::testing {
namespace {

Stack::Options NoDaemons() {
  Stack::Options o = Stack::LedgerOnly();
  o.ledger = false;
  return o;
}

template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) throw std::runtime_error(r.status().ToString());
  return std::move(r).value();
}

class LedgerFlushTest : public ::testing::Test {
 protected:
  LedgerFlushTest()
      : stack_(NoDaemons()),
        config_(Must(config::LoadFile(stack_.config_path()))),
        redis_(Must(redis::Pool::Open(config_.redis))),
        pg_(Must(pg::Pool::Open(config_.postgres))),
        accounts_(*pg_),
        money_(*pg_),
        ledger_(*redis_, config_.ledger.hold_retention_s * 1000, unflushed_),
        topups_(*redis_, money_),
        flusher_(*redis_, money_, unflushed_),
        resync_(*redis_, money_, accounts_, topups_, unflushed_) {}

  // An account in PostgreSQL with `balance` topped up, and in Redis.
  int64_t Account(const std::string& name, int64_t balance) {
    const int64_t id = Must(accounts_.CreateAccount(name, 1, 1, "hash-" + name, "id-" + name)).id;
    if (balance > 0) {
      EXPECT_EQ(Must(money_.RecordTopUp(id, "initial", balance)).seq, 1);
    }
    EXPECT_TRUE(resync_.Run().ok());
    return id;
  }
  v1::DebitReply Debit(int64_t account, const std::string& id, int64_t cost) {
    v1::DebitRequest req;
    req.set_account_id(account);
    req.set_message_id(id);
    req.set_cost(cost);
    req.set_ttl_s(3600);
    return Must(ledger_.Debit(req));
  }
  std::string Redis(int64_t account, const std::string& field) {
    Result<redis::Reply> r = stack_.redis().Run({"HGET", keys::Account(account), field});
    return r.ok() ? r->str : "";
  }
  std::string Pg(int64_t account, const std::string& columns) {
    return stack_.Sql("SELECT " + columns + " FROM accounts WHERE id = " + std::to_string(account));
  }
  // The account hash as it is now, to put back later: Redis going back in time.
  std::string Dump(int64_t account) { return stack_.redis().Run({"DUMP", keys::Account(account)})->str; }
  void Restore(int64_t account, const std::string& dump) {
    ASSERT_TRUE(stack_.redis().Run({"RESTORE", keys::Account(account), "0", dump, "REPLACE"}).ok());
  }

  Stack stack_;
  config::Config config_;
  std::unique_ptr<redis::Pool> redis_;
  std::unique_ptr<pg::Pool> pg_;
  ledger::AccountStore accounts_;
  ledger::MoneyStore money_;
  ledger::Unflushed unflushed_;
  ledger::Ledger ledger_;
  ledger::TopUps topups_;
  ledger::Flusher flusher_;
  ledger::Resync resync_;
};

// Review m12: one flush round takes every dirty account, not a random thousand of them.
TEST_F(LedgerFlushTest, OneRoundFlushesEveryDirtyAccount) {
  constexpr int kAccounts = 1500;
  stack_.Sql(
      "INSERT INTO accounts (name, price_normal, price_express, balance, topped_up, topup_seq) "
      "SELECT 'bulk-' || g, 1, 1, 10, 10, 1 FROM generate_series(1, " +
      std::to_string(kAccounts) + ") g");
  stack_.Sql(
      "INSERT INTO topups (account_id, reference, amount, seq, applied) SELECT id, 'initial', 10, 1, true "
      "FROM accounts");
  ASSERT_TRUE(resync_.Run().ok());
  v1::DebitBatchRequest debits;
  for (const ledger::MoneyStore::Durable& d : Must(money_.LoadAccounts(0, kAccounts))) {
    v1::DebitRequest* item = debits.add_items();
    item->set_account_id(d.settings.id);
    item->set_message_id("m");
    item->set_cost(3);
    item->set_ttl_s(3600);
  }
  ASSERT_EQ(Must(ledger_.DebitBatch(debits)).items_size(), kAccounts);
  EXPECT_EQ(stack_.redis().Run({"SCARD", keys::kDirtyAccounts})->integer, kAccounts);

  EXPECT_EQ(Must(flusher_.FlushAll()), kAccounts);
  EXPECT_EQ(stack_.Sql("SELECT count(*) FROM accounts WHERE held = 3 AND balance = 7"), std::to_string(kAccounts));
  EXPECT_EQ(stack_.redis().Run({"SCARD", keys::kDirtyAccounts})->integer, 0);
  EXPECT_EQ(Must(flusher_.FlushAll()), 0);  // nothing left, and nothing written twice
}

// Review M7, the flush: PostgreSQL has a flush that Redis then lost (an AOF that lost its
// tail). The old design flushed the same delta again under a new id; now PostgreSQL follows
// Redis's state, once.
TEST_F(LedgerFlushTest, AFlushRedisLostIsNotCountedTwice) {
  const int64_t a = Account("m7-flush", 1000);
  const std::string before = Dump(a);
  ASSERT_EQ(Debit(a, "d1", 100).result(), v1::LEDGER_OK);
  ASSERT_EQ(Must(flusher_.FlushAll()), 1);
  ASSERT_EQ(Pg(a, "balance || ' ' || held"), "900 100");

  Restore(a, before);  // Redis went back: no debit, and the account still marked dirty
  ASSERT_TRUE(stack_.redis().Run({"SADD", keys::kDirtyAccounts, std::to_string(a)}).ok());
  EXPECT_EQ(Must(flusher_.FlushAll()), 0);  // PostgreSQL's flush is newer: skipped, and `ops` moves on
  EXPECT_EQ(Must(flusher_.FlushAll()), 1);
  EXPECT_EQ(Pg(a, "balance || ' ' || held"), "1000 0");
  EXPECT_EQ(Redis(a, "balance"), "1000");

  // The same without a dirty mark: the comparison with PostgreSQL finds it.
  ASSERT_EQ(Debit(a, "d2", 50).result(), v1::LEDGER_OK);
  const std::string before_flush = Dump(a);
  ASSERT_EQ(Debit(a, "d3", 25).result(), v1::LEDGER_OK);
  ASSERT_EQ(Must(flusher_.FlushAll()), 1);
  ASSERT_EQ(Pg(a, "balance || ' ' || held"), "925 75");
  Restore(a, before_flush);
  ASSERT_EQ(stack_.redis().Run({"SCARD", keys::kDirtyAccounts})->integer, 0);
  EXPECT_EQ(Must(resync_.Run()).behind, 1);
  EXPECT_EQ(Must(flusher_.FlushAll()), 1);
  EXPECT_EQ(Pg(a, "balance || ' ' || held"), "950 50");
  EXPECT_EQ(Pg(a, "topped_up - balance - held - charged + refunded"), "0");
}

// Review M7, the top-up: PostgreSQL has it (and noted it applied), Redis lost it. The
// comparison with PostgreSQL applies it again, once; repeating the reference would too.
TEST_F(LedgerFlushTest, ATopUpRedisLostIsAppliedAgain) {
  const int64_t a = Account("m7-topup", 100);
  const std::string before = Dump(a);
  v1::TopUpRequest req;
  req.set_account_id(a);
  req.set_amount(50);
  req.set_reference("pay-2");
  ASSERT_EQ(Must(topups_.TopUp(req)).balance(), 150);
  ASSERT_EQ(stack_.Sql("SELECT applied FROM topups WHERE reference = 'pay-2'"), "t");
  Restore(a, before);
  ASSERT_EQ(Redis(a, "balance"), "100");

  EXPECT_EQ(Must(resync_.Run()).topups, 1);
  EXPECT_EQ(Redis(a, "balance"), "150");
  EXPECT_EQ(Redis(a, "topped_up"), "150");
  EXPECT_EQ(Must(resync_.Run()).topups, 0);  // once
  v1::TopUpReply again = Must(topups_.TopUp(req));
  EXPECT_TRUE(again.duplicate());
  EXPECT_EQ(again.balance(), 150);
  // Lost again, and this time the customer repeats the reference: that alone puts it back.
  Restore(a, before);
  EXPECT_EQ(Must(topups_.TopUp(req)).balance(), 150);
}

// Review M14: ledger B reads its snapshot of an account Redis lacks (T1); ledger A commits a
// top-up (T2) whose Redis step fails, since Redis does not have the account yet; B then loads
// its T1 snapshot. The old design marked every top-up of the account applied at that point; now
// nothing is marked by snapshot, and the pending pass applies the T2 top-up.
TEST_F(LedgerFlushTest, ATopUpCommittedAfterAReloadsSnapshotIsNotLost) {
  const int64_t a = Account("m14", 100);
  ASSERT_TRUE(stack_.redis().Run({"FLUSHALL"}).ok());                                          // Redis lost everything
  const std::vector<ledger::MoneyStore::Durable> snapshot = Must(money_.LoadAccounts(0, 10));  // B, T1

  v1::TopUpRequest req;
  req.set_account_id(a);
  req.set_amount(50);
  req.set_reference("during-reload");
  Result<v1::TopUpReply> during = topups_.TopUp(req);  // A, T2
  EXPECT_EQ(during.status().code(), ErrorCode::kUnavailable) << during.status().ToString();
  EXPECT_EQ(Pg(a, "balance"), "150");  // kept in PostgreSQL

  ledger::Resync::Summary summary;
  ASSERT_TRUE(resync_.Sync(snapshot, summary).ok());  // B loads T1
  EXPECT_EQ(summary.loaded, 1);
  EXPECT_EQ(Redis(a, "balance"), "100");
  EXPECT_EQ(Must(topups_.FinishPending(100)), 1);
  EXPECT_EQ(Redis(a, "balance"), "150");
  EXPECT_EQ(Redis(a, "topup_seq"), "2");
  EXPECT_EQ(stack_.Sql("SELECT bool_and(applied) FROM topups"), "t");
}

// Several ledgers flushing at once, late or twice (review M14; m21: no flush id to collide):
// two flushers race each other and a stream of debits, captures and refunds; whenever they
// stop, PostgreSQL has exactly Redis's counters.
TEST_F(LedgerFlushTest, ConcurrentLateAndRepeatedFlushesLeavePostgresExact) {
  const int64_t a = Account("many", 100000);
  ledger::Flusher other(*redis_, money_, unflushed_);
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  auto flush_loop = [&](ledger::Flusher& f) {
    while (!stop) {
      if (!f.FlushAll().ok()) ++failures;
    }
  };
  std::thread t1(flush_loop, std::ref(flusher_));
  std::thread t2(flush_loop, std::ref(other));
  for (int i = 0; i < 300; ++i) {
    const std::string id = "m" + std::to_string(i);
    ASSERT_EQ(Debit(a, id, 7).result(), v1::LEDGER_OK);
    v1::CaptureRequest capture;
    capture.set_account_id(a);
    capture.set_message_id(id);
    if (i % 3 != 0) {
      ASSERT_EQ(Must(ledger_.Capture(capture)).result(), v1::LEDGER_OK);
    }
    v1::RefundRequest refund;
    refund.set_account_id(a);
    refund.set_message_id(id);
    if (i % 5 == 0) {
      ASSERT_EQ(Must(ledger_.Refund(refund)).result(), v1::LEDGER_OK);
    }
  }
  stop = true;
  t1.join();
  t2.join();
  EXPECT_EQ(failures.load(), 0);
  Must(flusher_.FlushAll());
  // A stale snapshot arriving last changes nothing.
  ledger::MoneyStore::Snapshot stale{a, 1, {7, 0, 0, 0, 0}};
  EXPECT_TRUE(Must(money_.ApplySnapshots({stale})).empty());
  const std::string redis_side = Redis(a, "held") + " " + Redis(a, "charged") + " " + Redis(a, "refunded") + " " +
                                 Redis(a, "released") + " " + Redis(a, "balance");
  EXPECT_EQ(Pg(a, "held || ' ' || charged || ' ' || refunded || ' ' || released || ' ' || balance"), redis_side);
  EXPECT_EQ(Pg(a, "flush_seq::text"), Redis(a, "ops"));
  EXPECT_EQ(
      stack_.Sql("SELECT sum(debits) - sum(refunds) FROM ledger_activity WHERE account_id = " + std::to_string(a)),
      std::to_string(100000 - std::stoll(Redis(a, "balance"))));
}

}  // namespace
}  // namespace smsgw::testing
