// Receipts and the SMPP edge cases, through the whole stack (API, ledger, scheduler, report,
// the SMSC simulator): ids written differently by submit_sm_resp and receipts (review M1),
// receipts acknowledged only once recorded and sent again on a later bind (M2, m20),
// receipts that arrive before their key (M4), late submit_sm_resp (m18), a long message whose
// second part fails (m19), throttling (M5), MO messages.
#include <gtest/gtest.h>

#include <regex>
#include <tuple>

#include "common/time.h"
#include "keys/keys.h"
#include "sched/receipts.h"
#include "stack.h"

namespace smsgw::testing {
namespace {

std::string Send(Stack& stack, const std::string& key, const std::string& to, const std::string& text) {
  return stack.SendText(key, to, text);
}

int64_t SimCount(Stack& stack, const std::string& what) { return stack.SimTotal(what); }

int64_t Int(Stack& stack, const redis::Command& cmd) {
  Result<redis::Reply> r = stack.redis().Run(cmd);
  if (!r.ok()) return -1;
  Result<int64_t> v = r->AsInt();
  return v.ok() ? *v : 0;
}

void ExpectAll(Stack& stack, const std::string& key, const std::vector<std::string>& ids, const std::string& status) {
  for (const std::string& id : ids) {
    EXPECT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, id) == status; }))
        << id << " is " << stack.MessageStatus(key, id) << ", want " << status;
  }
}

// Review M1: the SMSC answers submit_sm with upper-case hex ids and writes receipts with the
// same number in decimal, zero-padded to 10 digits, without the receipted_message_id TLV.
TEST(SchedReceiptFlowTest, HexSubmitIdsMatchDecimalReceiptIds) {
  Stack::Options options;
  options.sim_args = {"--id-format", "HEX", "--receipt-id-format", "dec10", "--no-receipt-tlvs"};
  options.operator_toml = "message_id_format = \"hex\"\nreceipt_id_format = \"decimal\"\n";
  Stack stack(options);
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("ids", 10, 1000);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(Send(stack, key, "+98912123450" + std::to_string(i), "m" + std::to_string(i)));
  ExpectAll(stack, key, ids, "delivered");
  EXPECT_EQ(Int(stack, {"ZCARD", "dlr:parked"}), 0);
}

// Review M2 and m20: a receipt that arrives while Redis refuses writes is not acknowledged;
// the scheduler dies before it could record it; the SMSC sends it again on the next bind,
// which records it.
TEST(SchedReceiptFlowTest, AReceiptNotRecordedIsNotAcknowledgedAndComesAgain) {
  Stack::Options options;
  options.sim_args = {"--receipt-delay-ms", "1500"};
  Stack stack(options);
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("durable", 10, 1000);
  const std::string id = Send(stack, key, "+989121234567", "receipt survives");
  ASSERT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, id) == "submitted"; }));
  ASSERT_TRUE(stack.RedisRefusesWrites(true).ok());
  Process* sched = stack.process("smsgw-sched");
  ASSERT_TRUE(WaitUntil([&] { return sched->Log().find("recording outcomes:") != std::string::npos; },
                        std::chrono::seconds(15)))
      << "the receipt's event never failed to land: the test did not test anything";
  sched->Kill();
  ASSERT_TRUE(stack.RedisRefusesWrites(false).ok());
  stack.Start("smsgw-sched");
  ExpectAll(stack, key, {id}, "delivered");
  EXPECT_GE(SimCount(stack, "resent"), 1);
}

// Review M4, at the level of the script: a receipt whose key is not written yet is parked and
// matched once the key is there; one that never matches goes to dlr:unmatched, counted.
TEST(SchedReceiptFlowTest, ReceiptsBeforeTheirKeyAreParkedThenMatched) {
  Stack::Options options;
  options.sim = options.ledger = options.report = options.sched = options.api = false;
  Stack stack(options);
  redis::Connection& r = stack.redis();
  sched::ReceiptSettings settings;
  settings.park_s = 10;
  smpp::Receipt receipt;
  receipt.state = smpp::ReceiptState::kUndelivered;
  receipt.stat = "UNDELIV";
  receipt.error_code = "005";
  auto run = [&](const redis::Command& cmd) {
    Result<std::vector<redis::Reply>> replies = r.PipelineScripts({cmd}, {&sched::MatchReceiptScript()});
    EXPECT_TRUE(replies.ok());
    Result<sched::MatchedReceipt> m = sched::ReadReceiptMatch(replies->at(0), 1);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? *m : sched::MatchedReceipt{};
  };
  EXPECT_EQ(run(sched::MatchReceiptCommand("op", "early", receipt, settings, 1000)).match, sched::ReceiptMatch::kParked);
  const std::string member = sched::ParkedMember("op", "early");
  EXPECT_EQ(run(sched::RetryParkedCommand(member, settings, 2000)).match, sched::ReceiptMatch::kParked);
  // The submitting instance writes its key now.
  ASSERT_TRUE(r.Run({"SET", "dlr:op:early", "7:msg-9:1"}).ok());
  sched::MatchedReceipt m = run(sched::RetryParkedCommand(member, settings, 3000));
  ASSERT_EQ(m.match, sched::ReceiptMatch::kFinal);
  EXPECT_EQ(m.event.message_id(), "msg-9");
  EXPECT_EQ(m.event.status(), v1::STATUS_UNDELIVERED);
  EXPECT_EQ(m.event.error(), "stat:UNDELIV err:005");
  // It stays parked until the scheduler has recorded what the match led to: a crash before
  // that matches it again, with the same answer.
  EXPECT_EQ(Int(stack, {"ZCARD", "dlr:parked"}), 1);
  sched::MatchedReceipt again = run(sched::RetryParkedCommand(member, settings, 3500));
  EXPECT_EQ(again.match, sched::ReceiptMatch::kFinal);
  EXPECT_EQ(again.event.message_id(), "msg-9");
  EXPECT_EQ(again.event.status(), v1::STATUS_UNDELIVERED);
  for (const redis::Command& c : sched::SettleParkedCommands(member)) ASSERT_TRUE(r.Run(c).ok());
  EXPECT_EQ(Int(stack, {"ZCARD", "dlr:parked"}), 0);
  EXPECT_EQ(Int(stack, {"EXISTS", "dlr:park:op:early"}), 0);
  EXPECT_EQ(run(sched::RetryParkedCommand(member, settings, 4000)).match, sched::ReceiptMatch::kGone);

  // Never matched: after park_s it is kept in the unmatched stream and counted.
  EXPECT_EQ(run(sched::MatchReceiptCommand("op", "stray", receipt, settings, 1000)).match, sched::ReceiptMatch::kParked);
  EXPECT_EQ(run(sched::RetryParkedCommand(sched::ParkedMember("op", "stray"), settings, 5000)).match,
            sched::ReceiptMatch::kParked);
  EXPECT_EQ(run(sched::RetryParkedCommand(sched::ParkedMember("op", "stray"), settings, 12000)).match,
            sched::ReceiptMatch::kUnmatched);
  EXPECT_EQ(Int(stack, {"GET", "dlr:unmatched:count"}), 1);
  EXPECT_EQ(Int(stack, {"XLEN", "dlr:unmatched"}), 1);
  EXPECT_EQ(Int(stack, {"ZCARD", "dlr:parked"}), 0);
}

// Review m18: every other submit_sm_resp comes after the scheduler's timeout. The message is
// sent again, and the late answer's id still leads its receipt to the message: everything is
// delivered and no receipt stays unmatched.
TEST(SchedReceiptFlowTest, ALateSubmitResponseStillRecordsTheOperatorsId) {
  Stack::Options options;
  options.sim_args = {"--slow-every", "2", "--slow-ms", "1200"};
  options.operator_toml = "response_timeout_ms = 400\n";
  options.sched_toml = "claim_idle_ms = 5000\nreceipt_park_s = 10\n";
  Stack stack(options);
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("late", 10, 1000);
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(Send(stack, key, "+98912123456" + std::to_string(i), "late " + std::to_string(i)));
  ExpectAll(stack, key, ids, "delivered");
  Process* sched = stack.process("smsgw-sched");
  EXPECT_TRUE(WaitUntil([&] { return sched->Log().find("late submit_sm_resp") != std::string::npos; }))
      << "no response came late: the test did not test anything";
  // Every receipt found its message, the late copies' too (a parked one is retried for 10 s).
  EXPECT_TRUE(WaitUntil([&] { return Int(stack, {"ZCARD", "dlr:parked"}) == 0; }));
  EXPECT_EQ(Int(stack, {"GET", "dlr:unmatched:count"}), 0);
  EXPECT_EQ(stack.Balance(account), 1000 - 40);
}

// Review m19 and M5: the second part of every long message is refused once (transient), and
// every other submit_sm is throttled, with max_attempts 2. Only the missing part goes again,
// under the same reference, so the SMSC reassembles every message with no part twice; the
// throttling spends no attempt, so nothing is dead-lettered. MO messages are recorded.
TEST(SchedReceiptFlowTest, APartThatFailsIsSentAloneAndThrottlingSpendsNoAttempt) {
  Stack::Options options;
  options.sim_args = {"--fail-part", "2", "--throttle-every", "3", "--mo-every", "2"};
  options.sched_toml = "max_attempts = 2\n";
  Stack stack(options);
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("parts", 10, 10000);
  std::vector<std::string> ids;
  const std::string long_text(300, 'x');  // 2 parts of 153 septets
  for (int i = 0; i < 6; ++i) ids.push_back(Send(stack, key, "+98912123457" + std::to_string(i), long_text));
  ExpectAll(stack, key, ids, "delivered");
  EXPECT_EQ(Int(stack, {"XLEN", "q:dlq"}), 0);
  EXPECT_GE(Int(stack, {"XLEN", "mo:in"}), 1);
  EXPECT_EQ(stack.Balance(account), 10000 - 6 * 20);
  EXPECT_EQ(SimCount(stack, "concatenated messages reassembled"), 6);
  EXPECT_EQ(SimCount(stack, "duplicate parts"), 0);
  EXPECT_GE(SimCount(stack, "throttled"), 1);
}


// Failure receipts are final; whether they are refunded is the operator's policy (refund_on):
// here undelivered is, so the balance comes back in full, once.
TEST(SchedReceiptFlowTest, FailureReceiptsAreRefundedWhereTheOperatorSaysSo) {
  Stack::Options options;
  options.sim_args = {"--receipt-mix", "UNDELIV=1,REJECTD=1"};
  options.operator_toml = "refund_on = [\"undelivered\"]\n";
  Stack stack(options);
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("refunds", 10, 100);
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(Send(stack, key, "+98912123458" + std::to_string(i), "bounce"));
  ExpectAll(stack, key, ids, "undelivered");
  EXPECT_TRUE(WaitUntil([&] { return stack.Balance(account) == 100; })) << stack.Balance(account);
  HttpResponse one = stack.Api("GET", "/v1/messages/" + ids[0], "", key);
  EXPECT_NE(one.body.find("refunded"), std::string::npos) << one.body;
}

// A failure receipt that came before its message's key (parked, review M4) is refunded by the
// operator's refund_on like one matched at once, exactly once however often it is matched,
// and stays parked until refund and event have landed: with the ledger down it waits.
TEST(SchedReceiptFlowTest, AParkedFailureReceiptIsRefundedOnceWhereTheOperatorSaysSo) {
  Stack::Options options;
  options.sim_args = {"--receipt-delay-ms", "600000"};  // the SMSC's own receipt never comes here
  options.operator_toml = "refund_on = [\"undelivered\"]\n";
  options.sched_toml = "receipt_park_s = 120\n";
  Stack stack(options);
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("parked", 10, 100);
  const std::string id = Send(stack, key, "+989121234590", "parked bounce");
  ASSERT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, id) == "submitted"; }));
  ASSERT_TRUE(WaitUntil([&] { return stack.Balance(account) == 90; })) << stack.Balance(account);

  // The receipt arrives "before" the key: the key is taken away, the receipt parked, the key
  // written back, as the submitting instance would.
  // The key is written with the submitted event; the API may show `submitted` (a captured
  // hold) a moment before.
  std::string receipt_key;
  ASSERT_TRUE(WaitUntil([&] {
    Result<redis::Reply> keys = stack.redis().Run({"KEYS", "dlr:sim:*"});
    if (!keys.ok() || keys->elements.size() != 1) return false;
    receipt_key = keys->elements[0].str;
    return true;
  }));
  const std::string op_id = receipt_key.substr(std::string("dlr:sim:").size());
  Result<redis::Reply> value = stack.redis().Run({"GET", receipt_key});
  ASSERT_TRUE(value.ok());
  const std::string written = value->str;
  ASSERT_TRUE(stack.redis().Run({"DEL", receipt_key}).ok());
  smpp::Receipt receipt;
  receipt.state = smpp::ReceiptState::kUndelivered;
  receipt.stat = "UNDELIV";
  receipt.error_code = "001";
  sched::ReceiptSettings settings;
  settings.park_s = 120;
  Result<std::vector<redis::Reply>> parked = stack.redis().PipelineScripts(
      {sched::MatchReceiptCommand("sim", op_id, receipt, settings, NowMs())}, {&sched::MatchReceiptScript()});
  ASSERT_TRUE(parked.ok());
  ASSERT_EQ(Int(stack, {"ZCARD", "dlr:parked"}), 1);

  // With the ledger down the refund cannot be made: the receipt stays parked, nothing is final.
  stack.process("smsgw-ledger")->Stop();
  ASSERT_TRUE(stack.redis().Run({"SET", receipt_key, written}).ok());
  Process* sched = stack.process("smsgw-sched");
  ASSERT_TRUE(WaitUntil([&] { return sched->Log().find("refund after receipt for " + id) != std::string::npos; }))
      << "the refund never failed: the test did not test anything";
  EXPECT_EQ(Int(stack, {"ZCARD", "dlr:parked"}), 1);
  EXPECT_EQ(stack.MessageStatus(key, id), "submitted");

  stack.Start("smsgw-ledger");
  ExpectAll(stack, key, {id}, "undelivered");
  EXPECT_TRUE(WaitUntil([&] { return stack.Balance(account) == 100; })) << stack.Balance(account);
  EXPECT_TRUE(WaitUntil([&] { return Int(stack, {"ZCARD", "dlr:parked"}) == 0; }));
  HttpResponse one = stack.Api("GET", "/v1/messages/" + id, "", key);
  EXPECT_NE(one.body.find("refunded"), std::string::npos) << one.body;
  // Parked again as it was before it was settled (a crash between refund and settling): it is
  // matched and settled again, and not refunded twice.
  const std::string member = sched::ParkedMember("sim", op_id);
  ASSERT_TRUE(stack.redis().Run({"SET", keys::ParkedReceipt("sim", op_id), "undelivered\tstat:UNDELIV err:001"}).ok());
  ASSERT_TRUE(stack.redis().Run({"ZADD", keys::kParkedReceipts, std::to_string(NowMs()), member}).ok());
  EXPECT_TRUE(WaitUntil([&] { return Int(stack, {"ZCARD", "dlr:parked"}) == 0; }));
  EXPECT_EQ(stack.Balance(account), 100);
}

}  // namespace
}  // namespace smsgw::testing
