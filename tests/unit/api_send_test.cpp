// smsgw-api: PrepareMessage and DebitAndEnqueue with fake ledger and Redis -- the
// debit/enqueue/refund saga, per message and per batch, and the status each outcome maps to.
#include <gtest/gtest.h>

#include "keys/keys.h"
#include "api/problem.h"
#include "api/send.h"

namespace smsgw::api {
namespace {

constexpr const char* kId = "0190a6a8-5b7e-7c3d-8a1b-2c3d4e5f6a7b";
constexpr int64_t kNow = 1714566896789;

redis::Reply Ok(redis::Reply::Type type = redis::Reply::Type::kString) {
  redis::Reply r;
  r.type = type;
  r.str = "1-0";
  return r;
}

// Records what DebitAndEnqueue asked of its dependencies and answers as configured.
struct Fakes {
  v1::DebitReply debit_item;  // the answer to every debit item, unless debit_replies is set
  std::vector<v1::DebitReply> debit_replies;
  Status debit_failure;  // non-OK: the DebitBatch call fails
  Result<std::vector<redis::Reply>> pipeline_reply = Status::Unavailable("not set");
  bool pipeline_echo_ok = true;  // answer each command with a non-error reply
  Status refund_failure;

  std::vector<v1::DebitRequest> debits;
  std::vector<std::vector<redis::Command>> pipelines;
  std::vector<std::string> refunds;
  int debit_calls = 0;

  SendDeps Deps() {
    SendDeps d;
    d.debit = [this](const v1::DebitBatchRequest& req) -> Result<v1::DebitBatchReply> {
      ++debit_calls;
      for (const auto& item : req.items()) debits.push_back(item);
      if (!debit_failure.ok()) return debit_failure;
      v1::DebitBatchReply reply;
      for (int i = 0; i < req.items_size(); ++i) {
        *reply.add_items() = debit_replies.empty() ? debit_item : debit_replies.at(static_cast<size_t>(i));
      }
      return reply;
    };
    d.refund = [this](const v1::RefundBatchRequest& req) -> Result<v1::RefundBatchReply> {
      for (const auto& item : req.items()) refunds.push_back(item.message_id());
      if (!refund_failure.ok()) return refund_failure;
      v1::RefundBatchReply reply;
      reply.mutable_items()->Reserve(req.items_size());
      for (int i = 0; i < req.items_size(); ++i) reply.add_items();
      return reply;
    };
    d.pipeline = [this](const std::vector<redis::Command>& cmds) -> Result<std::vector<redis::Reply>> {
      pipelines.push_back(cmds);
      if (pipeline_echo_ok) return std::vector<redis::Reply>(cmds.size(), Ok());
      return pipeline_reply;
    };
    d.hold_ttl_s = 3600;
    return d;
  }
};

Account TestAccount() {
  Account a;
  a.id = 42;
  a.price_normal = 10;
  a.price_express = 25;
  return a;
}

// One message through PrepareMessage and DebitAndEnqueue, as a single POST makes it.
Result<v1::Envelope> SendMessage(const SendDeps& deps, const Account& account, const SendRequest& req,
                                 const std::string& id = kId) {
  Result<v1::Envelope> e = PrepareMessage(req, account, "IR", id, kNow);
  if (!e.ok()) return e;
  std::vector<Status> s = DebitAndEnqueue(deps, {*e});
  if (s.size() != 1) return Status::Internal("DebitAndEnqueue: " + std::to_string(s.size()) + " results for one");
  if (!s[0].ok()) return s[0];
  return e;
}

SendRequest Req(std::string to = "09121234567", std::string text = "salam") {
  SendRequest r;
  r.to = std::move(to);
  r.text = std::move(text);
  return r;
}

TEST(ApiSendTest, NormalMessageIsDebitedAndQueued) {
  Fakes f;
  SendRequest req = Req();
  req.client_ref = "c1";
  req.validity_s = 60;
  req.callback_url = "https://x.example/cb";
  Result<v1::Envelope> e = SendMessage(f.Deps(), TestAccount(), req);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->id(), kId);
  EXPECT_EQ(e->to(), "+989121234567");
  EXPECT_EQ(e->encoding(), v1::ENCODING_GSM7);
  EXPECT_EQ(e->segments(), 1);
  EXPECT_EQ(e->cost(), 10);
  EXPECT_EQ(e->accepted_at_ms(), kNow);
  EXPECT_EQ(e->expires_at_ms(), kNow + 60000);
  EXPECT_EQ(e->callback_url(), "https://x.example/cb");

  ASSERT_EQ(f.debits.size(), 1u);
  EXPECT_EQ(f.debits[0].account_id(), 42);
  EXPECT_EQ(f.debits[0].message_id(), kId);
  EXPECT_EQ(f.debits[0].cost(), 10);
  EXPECT_EQ(f.debits[0].ttl_s(), 3600);

  ASSERT_EQ(f.pipelines.size(), 1u);
  const auto& cmds = f.pipelines[0];
  ASSERT_EQ(cmds.size(), 3u);
  EXPECT_EQ(cmds[0][0], "XADD");
  EXPECT_EQ(cmds[0][1], keys::AccountQueue(42));
  EXPECT_EQ(cmds[0][2], "*");
  EXPECT_EQ(cmds[0][3], keys::kPayloadField);
  v1::Envelope queued;
  ASSERT_TRUE(queued.ParseFromString(cmds[0][4]));
  EXPECT_EQ(queued.id(), kId);
  EXPECT_EQ(queued.text(), "salam");
  EXPECT_EQ(queued.client_ref(), "c1");
  EXPECT_EQ(cmds[1][1], keys::kReportEvents);
  EXPECT_EQ((redis::Command{"SADD", keys::kActiveAccounts, "42"}), cmds[2]);
  v1::StatusEvent ev;
  ASSERT_TRUE(ev.ParseFromString(cmds[1][4]));
  EXPECT_EQ(ev.status(), v1::STATUS_ACCEPTED);
  EXPECT_EQ(ev.message_id(), kId);
  EXPECT_EQ(ev.account_id(), 42);
  EXPECT_EQ(ev.at_ms(), kNow);
  EXPECT_EQ(ev.to(), "+989121234567");
  EXPECT_EQ(ev.cost(), 10);
  EXPECT_EQ(ev.client_ref(), "c1");
  EXPECT_TRUE(f.refunds.empty());
}

TEST(ApiSendTest, ExpressUsesExpressQueueAndPrice) {
  Fakes f;
  SendRequest req = Req("+989121234567", "سلام");
  req.priority = v1::PRIORITY_EXPRESS;
  Result<v1::Envelope> e = SendMessage(f.Deps(), TestAccount(), req);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->encoding(), v1::ENCODING_UCS2);
  EXPECT_EQ(e->cost(), 25);
  EXPECT_EQ(e->expires_at_ms(), 0);
  const auto& cmds = f.pipelines.at(0);
  ASSERT_EQ(cmds.size(), 2u);
  EXPECT_EQ(cmds[0][1], keys::kExpressQueue);
  EXPECT_EQ(cmds[1][1], keys::kReportEvents);
}

TEST(ApiSendTest, PriceCountsSegments) {
  Fakes f;
  Result<v1::Envelope> e = SendMessage(f.Deps(), TestAccount(), Req("+989121234567", std::string(161, 'a')));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->segments(), 2);
  EXPECT_EQ(e->cost(), 20);
}

TEST(ApiSendTest, BadFieldsAreInvalidArgumentWithoutDebit) {
  Fakes f;
  Result<v1::Envelope> e = SendMessage(f.Deps(), TestAccount(), Req("12"));
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(e.status().message(), "to: not a valid phone number");

  SendRequest bad_from = Req();
  bad_from.from = "ThisSenderIsTooLong";
  e = SendMessage(f.Deps(), TestAccount(), bad_from);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message().rfind("from: ", 0), 0u);

  e = SendMessage(f.Deps(), TestAccount(), Req("+989121234567", "bad \xc3"));
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message().rfind("text: ", 0), 0u);
  EXPECT_TRUE(f.debits.empty());
  EXPECT_TRUE(f.pipelines.empty());
}

TEST(ApiSendTest, LedgerOutcomesMapToProblems) {
  struct Case {
    v1::LedgerResult result;
    int http;
    const char* code;
  };
  for (const Case& c :
       {Case{v1::LEDGER_INSUFFICIENT_FUNDS, 402, "insufficient_funds"},
        Case{v1::LEDGER_ACCOUNT_DISABLED, 403, "account_disabled"},
        Case{v1::LEDGER_ACCOUNT_UNKNOWN, 401, "unauthenticated"}, Case{v1::LEDGER_HOLD_REFUNDED, 500, "internal"}}) {
    Fakes f;
    f.debit_item.set_result(c.result);
    f.debit_item.set_balance(7);
    Result<v1::Envelope> e = SendMessage(f.Deps(), TestAccount(), Req());
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(ProblemResponse(e.status()).status, c.http) << c.code;
    EXPECT_EQ(KindFor(e.status().code()).code, c.code);
    EXPECT_TRUE(f.pipelines.empty());
    EXPECT_TRUE(f.refunds.empty());
  }
}

TEST(ApiSendTest, InsufficientFundsNamesCostAndBalance) {
  Fakes f;
  f.debit_item.set_result(v1::LEDGER_INSUFFICIENT_FUNDS);
  f.debit_item.set_balance(7);
  Result<v1::Envelope> e = SendMessage(f.Deps(), TestAccount(), Req());
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message(), "insufficient funds: cost 10, balance 7");
}

TEST(ApiSendTest, LedgerDownIsUnavailable) {
  Fakes f;
  f.debit_failure = Status::Unavailable("ledger DebitBatch: connection refused");
  Result<v1::Envelope> e = SendMessage(f.Deps(), TestAccount(), Req());
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), ErrorCode::kUnavailable);
  HttpResponse r = ProblemResponse(e.status());
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.Get("Retry-After"), "1");
  // Even a ledger-side error is the customer's 503, not a 500 or 400.
  f.debit_failure = Status::Internal("ledger DebitBatch: boom");
  e = SendMessage(f.Deps(), TestAccount(), Req());
  EXPECT_EQ(e.status().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(f.pipelines.empty());
}

TEST(ApiSendTest, LostDebitReplyIsRefunded) {
  // A timeout may hide debits that landed: they are refunded at once, not left held for a day.
  Fakes f;
  f.debit_failure = Status::Unavailable("ledger DebitBatch: deadline exceeded");
  Result<v1::Envelope> e = SendMessage(f.Deps(), TestAccount(), Req());
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(f.refunds, std::vector<std::string>{kId});
}

TEST(ApiSendTest, RedisDownRefunds) {
  Fakes f;
  f.pipeline_echo_ok = false;
  f.pipeline_reply = Status::Unavailable("redis: connection reset");
  Result<v1::Envelope> e = SendMessage(f.Deps(), TestAccount(), Req());
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(f.refunds, std::vector<std::string>{kId});
}

TEST(ApiSendTest, ErrorInAnySlotRefunds) {
  Fakes f;
  f.pipeline_echo_ok = false;
  redis::Reply err;
  err.type = redis::Reply::Type::kError;
  err.str = "OOM command not allowed";
  f.pipeline_reply = std::vector<redis::Reply>{Ok(), Ok(redis::Reply::Type::kInteger), err};
  Result<v1::Envelope> e = SendMessage(f.Deps(), TestAccount(), Req());
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(f.refunds.size(), 1u);
}

TEST(ApiSendTest, RefundFailureStillAnswersUnavailable) {
  Fakes f;
  f.pipeline_echo_ok = false;
  f.pipeline_reply = Status::Unavailable("redis down");
  f.refund_failure = Status::Unavailable("ledger down too");
  SendDeps deps = f.Deps();
  Result<v1::Envelope> e = SendMessage(deps, TestAccount(), Req());
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), ErrorCode::kUnavailable);
}

TEST(ApiSendTest, BatchDebitsOnceAndQueuesOnlyTheDebited) {
  Fakes f;
  v1::DebitReply ok;
  v1::DebitReply poor;
  poor.set_result(v1::LEDGER_INSUFFICIENT_FUNDS);
  poor.set_balance(5);
  f.debit_replies = {ok, poor, ok};
  std::vector<v1::Envelope> batch;
  for (const char* id : {"id-1", "id-2", "id-3"}) {
    Result<v1::Envelope> e = PrepareMessage(Req(), TestAccount(), "IR", id, kNow);
    ASSERT_TRUE(e.ok());
    batch.push_back(*e);
  }
  std::vector<Status> s = DebitAndEnqueue(f.Deps(), batch);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_TRUE(s[0].ok());
  EXPECT_EQ(s[1].code(), ErrorCode::kInsufficientFunds);
  EXPECT_TRUE(s[2].ok());
  EXPECT_EQ(f.debit_calls, 1);
  ASSERT_EQ(f.debits.size(), 3u);
  ASSERT_EQ(f.pipelines.size(), 1u);
  const auto& cmds = f.pipelines[0];
  // Two messages x (XADD queue, XADD event), then one SADD for their account.
  ASSERT_EQ(cmds.size(), 5u);
  v1::Envelope first, second;
  ASSERT_TRUE(first.ParseFromString(cmds[0][4]));
  ASSERT_TRUE(second.ParseFromString(cmds[2][4]));
  EXPECT_EQ((redis::Command{"SADD", keys::kActiveAccounts, "42"}), cmds[4]);
  EXPECT_EQ(first.id(), "id-1");
  EXPECT_EQ(second.id(), "id-3");
  EXPECT_TRUE(f.refunds.empty());
}

TEST(ApiSendTest, OneActiveMarkPerAccountAfterEveryQueueAppend) {
  std::vector<v1::Envelope> envelopes(4);
  const int64_t accounts[] = {7, 8, 7, 9};
  for (size_t i = 0; i < envelopes.size(); ++i) envelopes[i].set_account_id(accounts[i]);
  envelopes[3].set_priority(v1::PRIORITY_EXPRESS);  // express needs no mark
  std::vector<const v1::Envelope*> ptrs;
  for (const auto& e : envelopes) ptrs.push_back(&e);
  std::vector<redis::Command> cmds = EnqueueCommands(ptrs);
  ASSERT_EQ(cmds.size(), 9u);
  EXPECT_EQ(cmds[6][1], keys::kExpressQueue);
  EXPECT_EQ((redis::Command{"SADD", keys::kActiveAccounts, "7", "8"}), cmds.back());
  for (size_t i = 0; i + 1 < cmds.size(); ++i) EXPECT_EQ(cmds[i][0], "XADD") << i;
}

TEST(ApiSendTest, BatchRedisFailureRefundsEveryDebitedMessage) {
  Fakes f;
  f.pipeline_echo_ok = false;
  f.pipeline_reply = Status::Unavailable("redis: connection reset");
  v1::DebitReply ok;
  v1::DebitReply disabled;
  disabled.set_result(v1::LEDGER_ACCOUNT_DISABLED);
  f.debit_replies = {ok, disabled, ok};
  std::vector<v1::Envelope> batch;
  for (const char* id : {"id-1", "id-2", "id-3"}) batch.push_back(*PrepareMessage(Req(), TestAccount(), "IR", id, kNow));
  std::vector<Status> s = DebitAndEnqueue(f.Deps(), batch);
  EXPECT_EQ(s[0].code(), ErrorCode::kUnavailable);
  EXPECT_EQ(s[1].code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(s[2].code(), ErrorCode::kUnavailable);
  EXPECT_EQ(f.refunds, (std::vector<std::string>{"id-1", "id-3"}));
}

}  // namespace
}  // namespace smsgw::api
