// The scheduler against the real ledger, Redis and the SMSC simulator: a read is captured in
// one batch and only what was captured is sent; while no link is bound nothing is read;
// outcome writes that Redis refuses are kept and land later, and nothing is sent twice.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>
#include <tuple>

#include "rpc/clients.h"
#include "sched/receipts.h"
#include "stack.h"

namespace smsgw::testing {
namespace {

std::string Send(Stack& stack, const std::string& key, const std::string& to, const std::string& text) {
  return stack.SendText(key, to, text);
}

// The simulator's own count of submit_sm, from the line it logs when it stops.
int64_t SimSubmits(Stack& stack) { return stack.SimTotal("submits"); }

int64_t Int(Stack& stack, const redis::Command& cmd) {
  Result<redis::Reply> r = stack.redis().Run(cmd);
  return r.ok() ? r->integer : -1;
}

// Entries of `stream` read by the scheduler and not yet acked; 0 while it never read it (no
// group yet), -1 if Redis cannot tell.
int64_t Pending(Stack& stack, const std::string& stream) {
  Result<redis::Reply> r = stack.redis().Run({"XPENDING", stream, "sched"});
  if (!r.ok()) return r.status().message().find("NOGROUP") != std::string::npos ? 0 : -1;
  return r->elements.empty() ? -1 : r->elements[0].integer;
}

TEST(SchedBatchTest, MessagesWhoseCaptureIsRefusedAreNotSentAndEndFinal) {
  Stack::Options options;
  options.sched = false;  // the queue fills first; the scheduler reads it in one go
  Stack stack(options);
  int64_t a1 = 0;
  std::string key1;
  std::tie(a1, key1) = stack.CreateFundedAccount("capture-a", 10, 1000);
  int64_t a2 = 0;
  std::string key2;
  std::tie(a2, key2) = stack.CreateFundedAccount("capture-b", 10, 1000);
  struct Sent {
    int64_t account;
    std::string key;
    std::string id;
  };
  std::vector<Sent> sent;
  for (int i = 0; i < 12; ++i) {
    const bool first = i % 2 == 0;
    const std::string& key = first ? key1 : key2;
    sent.push_back({first ? a1 : a2, key, Send(stack, key, "+98912123456" + std::to_string(i % 10), "m" + std::to_string(i))});
  }
  // Refund a third of the holds, from both accounts, before the scheduler sees them.
  rpc::LedgerClient ledger(stack.ledger_address());
  std::set<std::string> refunded;
  for (size_t i = 0; i < sent.size(); i += 3) {
    Result<v1::RefundReply> r = ledger.Refund(sent[i].account, sent[i].id, "canceled by the test");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->result(), v1::LEDGER_OK);
    refunded.insert(sent[i].id);
  }
  ASSERT_EQ(refunded.size(), 4u);

  stack.Start("smsgw-sched");
  for (const Sent& s : sent) {
    const std::string want = refunded.count(s.id) > 0 ? "canceled" : "delivered";
    EXPECT_TRUE(WaitUntil([&] { return stack.MessageStatus(s.key, s.id) == want; }))
        << s.id << " is " << stack.MessageStatus(s.key, s.id) << ", want " << want;
  }
  // Money: only the eight sent are charged, nothing is left held.
  EXPECT_EQ(stack.Balance(a1) + stack.Balance(a2), 2000 - 8 * 10);
  for (int64_t a : {a1, a2}) {
    Result<v1::BalanceReply> b = ledger.GetBalance(a);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->held(), 0) << "account " << a;
  }
  // The streams are drained: every entry, sent or not, was acked and deleted.
  EXPECT_TRUE(WaitUntil([&] {
    return Int(stack, {"XLEN", "{a:" + std::to_string(a1) + "}:q"}) == 0 &&
           Int(stack, {"XLEN", "{a:" + std::to_string(a2) + "}:q"}) == 0;
  }));
  EXPECT_EQ(Int(stack, {"XLEN", "q:dlq"}), 0);
  // The witness on the operator's side: eight submit_sm, not twelve.
  EXPECT_EQ(SimSubmits(stack), 8);
}

TEST(SchedBatchTest, WithNoLinkBoundTheBacklogStaysInItsStream) {
  Stack stack;
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("no-link", 10, 1000);
  stack.process("smsgw-smsc-sim")->Kill();
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(Send(stack, key, "+989121234567", "waiting " + std::to_string(i)));
  const std::string stream = "{a:" + std::to_string(account) + "}:q";
  // For a second and a half (many loop turns, and more than the link-down retry delay)
  // nothing is read: no entry is pending, nothing went through q:retry.
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  while (std::chrono::steady_clock::now() < until) {
    ASSERT_EQ(Int(stack, {"ZCARD", "q:retry"}), 0);
    ASSERT_EQ(Pending(stack, stream), 0) << "the scheduler read while no link was bound";
    ASSERT_EQ(Int(stack, {"XLEN", stream}), 20);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stack.Start("smsgw-smsc-sim");
  for (const std::string& id : ids) {
    EXPECT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, id) == "delivered"; })) << id;
  }
  EXPECT_EQ(stack.Balance(account), 800);
  EXPECT_EQ(SimSubmits(stack), 20);
}

// With the ledger away nothing can be captured: the messages wait in the scheduler (not in
// q:retry, spending no attempt) and go out once it answers again.
TEST(SchedBatchTest, MessagesWaitForTheLedgerAndGoOutWhenItAnswers) {
  Stack::Options options;
  options.sched = false;
  Stack stack(options);
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("ledger-away", 10, 1000);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(Send(stack, key, "+989121234567", "later " + std::to_string(i)));
  stack.process("smsgw-ledger")->Kill();
  stack.Start("smsgw-sched");
  Process* sched = stack.process("smsgw-sched");
  const std::string stream = "{a:" + std::to_string(account) + "}:q";
  ASSERT_TRUE(WaitUntil([&] { return sched->Log().find("asking again in") != std::string::npos; }))
      << "the scheduler never asked the ledger";
  EXPECT_EQ(Pending(stack, stream), 5);  // read, held, not given up
  EXPECT_EQ(Int(stack, {"ZCARD", "q:retry"}), 0);

  stack.Start("smsgw-ledger");
  for (const std::string& id : ids) {
    EXPECT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, id) == "delivered"; })) << id;
  }
  EXPECT_NE(sched->Log().find("ledger answers again"), std::string::npos);
  EXPECT_EQ(stack.Balance(account), 950);
  EXPECT_EQ(SimSubmits(stack), 5);
}

// Redis out of memory refuses SET and XADD (the receipt key and the submitted event) while
// the operator's answer is on its way. The writes are kept and land when Redis takes them
// again; the message is delivered, and sent once.
TEST(SchedBatchTest, OutcomeWritesRedisRefusesAreKeptUntilTheyLand) {
  Stack::Options options;
  options.sim_args = {"--response-delay-ms", "1500"};
  Stack stack(options);
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("outbox", 10, 1000);
  const std::string id = Send(stack, key, "+989121234567", "through a redis hiccup");
  const std::string stream = "{a:" + std::to_string(account) + "}:q";
  // Captured: the submit follows at once, and the simulator holds its answer back for 1.5 s.
  ASSERT_TRUE(WaitUntil([&] { return stack.Hold(account, id).rfind("charged:", 0) == 0; }));
  ASSERT_EQ(Pending(stack, stream), 1);
  ASSERT_TRUE(stack.RedisRefusesWrites(true).ok());
  Process* sched = stack.process("smsgw-sched");
  ASSERT_TRUE(WaitUntil([&] { return sched->Log().find("recording outcomes:") != std::string::npos; },
                        std::chrono::seconds(10)))
      << "the outcome writes never failed: the test did not test anything";
  ASSERT_TRUE(stack.RedisRefusesWrites(false).ok());

  EXPECT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, id) == "delivered"; })) << stack.MessageStatus(key, id);
  EXPECT_NE(sched->Log().find("outcome writes land again"), std::string::npos);
  EXPECT_EQ(stack.Balance(account), 990);
  EXPECT_TRUE(WaitUntil([&] { return Int(stack, {"XLEN", stream}) == 0; }));
  EXPECT_EQ(SimSubmits(stack), 1);
}

// The receipt match runs again when a pipeline's replies were lost: it must answer the same.
TEST(SchedBatchTest, ReceiptMatchAnswersTheSameWhenRunAgain) {
  Stack::Options options;
  options.sim = options.ledger = options.report = options.sched = options.api = false;
  Stack stack(options);
  redis::Connection& r = stack.redis();
  ASSERT_TRUE(r.Run({"SET", "dlr:op:one", "7:msg-1:1"}).ok());
  ASSERT_TRUE(r.Run({"SET", "dlr:op:p1", "7:msg-2:2"}).ok());
  ASSERT_TRUE(r.Run({"SET", "dlr:op:p2", "7:msg-2:2"}).ok());

  smpp::Receipt delivered;
  delivered.state = smpp::ReceiptState::kDelivered;
  smpp::Receipt undelivered;
  undelivered.state = smpp::ReceiptState::kUndelivered;
  sched::ReceiptSettings settings;
  settings.receipt_ttl_s = 3600;
  auto match = [&](const std::string& op_id, smpp::Receipt receipt) {
    receipt.message_id = op_id;
    Result<std::vector<redis::Reply>> replies = r.PipelineScripts(
        {sched::MatchReceiptCommand("op", op_id, receipt, settings, 1000)}, {&sched::MatchReceiptScript()});
    EXPECT_TRUE(replies.ok());
    Result<sched::MatchedReceipt> m = sched::ReadReceiptMatch(replies->at(0), 1);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? *m : sched::MatchedReceipt{};
  };

  for (int run = 0; run < 2; ++run) {
    sched::MatchedReceipt one = match("one", delivered);
    EXPECT_EQ(one.match, sched::ReceiptMatch::kFinal) << "run " << run;
    EXPECT_EQ(one.event.message_id(), "msg-1");
    EXPECT_EQ(one.event.status(), v1::STATUS_DELIVERED);
  }
  // Two parts; the first part's receipt comes twice: still one part of two.
  EXPECT_EQ(match("p1", undelivered).match, sched::ReceiptMatch::kMorePartsToCome);
  EXPECT_EQ(match("p1", undelivered).match, sched::ReceiptMatch::kMorePartsToCome);
  for (int run = 0; run < 2; ++run) {
    sched::MatchedReceipt two = match("p2", delivered);
    EXPECT_EQ(two.match, sched::ReceiptMatch::kFinal) << "run " << run;
    EXPECT_EQ(two.event.status(), v1::STATUS_UNDELIVERED);  // one part was
  }
  EXPECT_EQ(match("nobody", delivered).match, sched::ReceiptMatch::kParked);
  EXPECT_EQ(match("nobody", delivered).match, sched::ReceiptMatch::kParked);  // parked once
  // Matched keys are kept only a short while, not for the receipt TTL.
  Result<redis::Reply> ttl = r.Run({"TTL", "dlr:op:one"});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl->integer, 0);
  EXPECT_LE(ttl->integer, sched::kMatchedReceiptTtlS);
  Result<redis::Reply> counter_ttl = r.Run({"TTL", "dlrparts:msg-2"});
  ASSERT_TRUE(counter_ttl.ok());
  EXPECT_LE(counter_ttl->integer, sched::kMatchedReceiptTtlS);
}

}  // namespace
}  // namespace smsgw::testing
