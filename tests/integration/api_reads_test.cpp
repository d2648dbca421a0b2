// GET /v1/messages/{id} never goes backwards and never answers 5xx for bad input:
// - review M10: an id that is not one of the caller's messages (a UUID of another version, not
//   a UUID at all, another account's message) is 404;
// - review m3: while smsgw-report lags or is down, the status shown is never lower than the
//   ledger's hold implies (held -> accepted, charged -> submitted, expired -> expired);
// - review m4: a message whose hold was refunded before it was sent ends final (canceled),
//   never `accepted` for ever.
#include <gtest/gtest.h>
#include <tuple>

#include "stack.h"

namespace smsgw::testing {
namespace {

Stack::Options NoScheduler() {
  Stack::Options o;
  o.sched = false;  // messages stay queued until a test lets them go
  return o;
}

std::string Send(Stack& stack, const std::string& key) {
  HttpResponse r = stack.Api("POST", "/v1/messages", R"({"to":"+989121234567","text":"hello"})", key);
  EXPECT_EQ(r.status, 202) << r.body;
  return r.status == 202 ? r.Json().at("id").get<std::string>() : "";
}

nlohmann::json Get(Stack& stack, const std::string& key, const std::string& id) {
  HttpResponse r = stack.Api("GET", "/v1/messages/" + id, "", key);
  EXPECT_EQ(r.status, 200) << r.body;
  return r.status == 200 ? r.Json() : nlohmann::json::object();
}

// smsgw-report has written the message: fields only it knows are set.
bool Reported(Stack& stack, const std::string& key, const std::string& id) {
  HttpResponse r = stack.Api("GET", "/v1/messages/" + id, "", key);
  return r.status == 200 && !r.Json().at("to").is_null();
}

void ExpectNotFound(const HttpResponse& r) {
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/problem+json");
  EXPECT_EQ(r.Header("retry-after"), "");
  if (r.status == 404) {
    EXPECT_EQ(r.Json().at("code"), "not_found");
  }
}

TEST(ApiReadsTest, AnyIdThatIsNotTheCallersMessageIs404) {
  Stack stack(NoScheduler());
  int64_t a = 0;
  std::string key_a;
  std::tie(a, key_a) = stack.CreateFundedAccount("reader-a", 10, 100);
  int64_t b = 0;
  std::string key_b;
  std::tie(b, key_b) = stack.CreateFundedAccount("reader-b", 10, 100);
  const std::string id = Send(stack, key_a);
  ASSERT_TRUE(WaitUntil([&] { return Reported(stack, key_a, id); }));

  ExpectNotFound(stack.Api("GET", "/v1/messages/919108f7-52d1-4320-9bac-f847db4148a8", "", key_a));  // v4 (M10)
  ExpectNotFound(stack.Api("GET", "/v1/messages/00000000-0000-0000-0000-000000000000", "", key_a));
  ExpectNotFound(stack.Api("GET", "/v1/messages/not-a-message-id", "", key_a));
  ExpectNotFound(stack.Api("GET", "/v1/messages/" + id, "", key_b));  // another account's message
  EXPECT_EQ(stack.Api("GET", "/v1/messages/" + id, "", key_a).status, 200);
}

TEST(ApiReadsTest, TheStatusIsNeverLowerThanTheHoldImplies) {
  Stack stack(NoScheduler());
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("lagging", 10, 100);
  rpc::LedgerClient ledger(stack.ledger_address());

  // smsgw-report wrote `accepted`; then the scheduler captured (it would submit next), and
  // no submitted event has reached the report yet.
  const std::string charged = Send(stack, key);
  ASSERT_TRUE(WaitUntil([&] { return Reported(stack, key, charged); }));
  EXPECT_EQ(Get(stack, key, charged).at("status"), "accepted");
  ASSERT_TRUE(ledger.Capture(account, charged).ok());
  EXPECT_EQ(Get(stack, key, charged).at("status"), "submitted");

  // smsgw-report down: the hold alone answers, and it still never shows less than it proves.
  const std::string held = Send(stack, key);
  stack.process("smsgw-report")->Stop();
  nlohmann::json j = Get(stack, key, held);
  EXPECT_EQ(j.at("status"), "accepted");
  EXPECT_EQ(j.at("cost"), 10);
  EXPECT_EQ(Get(stack, key, charged).at("status"), "submitted");
  ASSERT_TRUE(ledger.Capture(account, held).ok());
  EXPECT_EQ(Get(stack, key, held).at("status"), "submitted");
}

TEST(ApiReadsTest, AnExpiredHoldShowsExpired) {
  Stack::Options options = NoScheduler();
  options.api_toml = "hold_ttl_s = 1\nreport_grace_ms = 600000\n";
  options.report = false;  // nothing but the hold knows the message (sends go on meanwhile)
  Stack stack(options);
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("expiring", 10, 100);
  const std::string id = Send(stack, key);
  EXPECT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, id) == "expired"; })) << stack.MessageStatus(key, id);
  EXPECT_TRUE(WaitUntil([&] { return stack.Balance(account) == 100; }));
}

TEST(ApiReadsTest, AMessageRefundedBeforeSendingEndsCanceledNotAccepted) {
  Stack stack(NoScheduler());
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("refunded", 10, 100);
  const std::string id = Send(stack, key);
  ASSERT_TRUE(WaitUntil([&] { return Reported(stack, key, id); }));
  // What the API does when its enqueue pipeline fails after the debit (review m4): refund.
  rpc::LedgerClient ledger(stack.ledger_address());
  Result<v1::RefundReply> refund = ledger.Refund(account, id, "enqueue failed");
  ASSERT_TRUE(refund.ok());
  EXPECT_EQ(Get(stack, key, id).at("status"), "canceled");  // from the hold, at once

  // The envelope was queued: the scheduler finds the hold refunded, sends nothing and records
  // the final status, which smsgw-report then shows with its time.
  stack.Start("smsgw-sched");
  EXPECT_TRUE(WaitUntil([&] {
    nlohmann::json m = Get(stack, key, id);
    return m.value("status", "") == "canceled" && !m.at("done_at").is_null();
  })) << Get(stack, key, id).dump();
  EXPECT_EQ(stack.Balance(account), 100);
  EXPECT_EQ(stack.redis().Run({"XLEN", "{a:" + std::to_string(account) + "}:q"})->integer, 0);
}

}  // namespace
}  // namespace smsgw::testing
