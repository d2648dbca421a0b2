// Idempotency-Key on POST, Stripe's semantics, through real HTTP, ledger and Redis: the same key
// and body answer the first answer again without a second charge (also for 1,000 concurrent
// requests), another body is 409, keys are per account and at most 255 characters, and a 503
// whose messages may have been queued never leads to a second SMS on retry (review m5).
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>
#include <tuple>

#include "api/idempotency_record.h"
#include "auth/api_key.h"
#include "common/time.h"
#include "keys/keys.h"
#include "stack.h"

namespace smsgw::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

const std::string kBody = R"({"to":"+989121234567","text":"once only"})";

Stack::Options NoScheduler() {
  Stack::Options o;
  o.sched = false;
  return o;
}

HttpResponse Post(Stack& stack, const std::string& key, const std::string& idem, const std::string& body = kBody,
                  const std::string& path = "/v1/messages") {
  return stack.Api("POST", path, body, key, {{"Idempotency-Key", idem}});
}

int64_t Queued(Stack& stack, int64_t account) {
  return stack.redis().Run({"XLEN", keys::AccountQueue(account)})->integer;
}

TEST(ApiIdempotencyTest, TheSameKeyAndBodyReplayTheFirstAnswerWithoutASecondCharge) {
  Stack stack(NoScheduler());
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("idem", 10, 100);
  HttpResponse first = stack.Api("POST", "/v1/messages", kBody, key, {{"Idempotency-Key", "order-1"}, {"X-Request-ID", "req-1"}});
  ASSERT_EQ(first.status, 202) << first.body;
  EXPECT_EQ(first.Header("idempotent-replayed"), "");
  EXPECT_EQ(first.Header("x-request-id"), "req-1");
  HttpResponse again = stack.Api("POST", "/v1/messages", kBody, key, {{"Idempotency-Key", "order-1"}, {"X-Request-ID", "req-2"}});
  EXPECT_EQ(again.status, 202);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.Header("location"), first.Header("location"));
  EXPECT_EQ(again.Header("idempotent-replayed"), "true");
  EXPECT_EQ(again.Header("x-request-id"), "req-2");
  EXPECT_EQ(stack.Balance(account), 90);
  EXPECT_EQ(Queued(stack, account), 1);

  // Another key is another request.
  HttpResponse other = Post(stack, key, "order-2");
  ASSERT_EQ(other.status, 202);
  EXPECT_NE(other.Json().at("id"), first.Json().at("id"));
  EXPECT_EQ(stack.Balance(account), 80);

  // A refusal is an answer too: it is replayed, and running it again would not be the same request.
  int64_t poor = 0;
  std::string poor_key;
  std::tie(poor, poor_key) = stack.CreateFundedAccount("idem-poor", 10, 5);
  HttpResponse refused = Post(stack, poor_key, "order-3");
  EXPECT_EQ(refused.status, 402);
  ASSERT_EQ(stack.Smsctl({"topup", std::to_string(poor), "100", "--ref", "more"}).exit_code, 0);
  HttpResponse replayed = Post(stack, poor_key, "order-3");
  EXPECT_EQ(replayed.status, 402);
  EXPECT_EQ(replayed.Header("idempotent-replayed"), "true");
  EXPECT_EQ(stack.Balance(poor), 105);
}

TEST(ApiIdempotencyTest, AnotherBodyOrPathWithTheKeyIs409AndKeysAreChecked) {
  Stack stack(NoScheduler());
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("idem-409", 10, 100);
  ASSERT_EQ(Post(stack, key, "k").status, 202);
  HttpResponse other_body = Post(stack, key, "k", R"({"to":"+989121234567","text":"something else"})");
  EXPECT_EQ(other_body.status, 409) << other_body.body;
  EXPECT_EQ(other_body.Json().at("code"), "idempotency_key_reused");
  HttpResponse other_path = Post(stack, key, "k", R"({"to":["+989121234567"],"text":"x"})", "/v1/messages/batch");
  EXPECT_EQ(other_path.status, 409);

  const std::string longest(255, 'k');
  EXPECT_EQ(Post(stack, key, longest).status, 202);
  HttpResponse too_long = Post(stack, key, longest + "k");
  EXPECT_EQ(too_long.status, 400);
  EXPECT_EQ(too_long.Json().at("code"), "invalid_argument");
  EXPECT_NE(too_long.Json().at("detail").get<std::string>().find("Idempotency-Key"), std::string::npos);
  EXPECT_EQ(stack.Balance(account), 80);

  // Keys are per account: another account's same key is its own request.
  int64_t other = 0;
  std::string other_key;
  std::tie(other, other_key) = stack.CreateFundedAccount("idem-other", 10, 100);
  HttpResponse theirs = Post(stack, other_key, "k");
  ASSERT_EQ(theirs.status, 202);
  EXPECT_EQ(theirs.Header("idempotent-replayed"), "");
  EXPECT_EQ(stack.Balance(other), 90);
}

TEST(ApiIdempotencyTest, AThousandConcurrentRequestsWithOneKeyChargeOnce) {
  Stack stack(NoScheduler());
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("idem-storm", 10, 100000);
  constexpr int kThreads = 20, kPerThread = 50;
  std::mutex mu;
  std::map<int, int> statuses;
  std::set<std::string> bodies_202;
  int replayed = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      boost::asio::io_context io;
      std::vector<std::unique_ptr<beast::tcp_stream>> conns;
      const boost::asio::ip::tcp::endpoint api(boost::asio::ip::make_address("127.0.0.1"),
                                               static_cast<unsigned short>(stack.api_port()));
      // Every request is on the wire before any answer is read: all 1,000 are in flight at once.
      for (int i = 0; i < kPerThread; ++i) {
        auto s = std::make_unique<beast::tcp_stream>(io);
        s->expires_after(std::chrono::seconds(60));
        s->connect(api);
        http::request<http::string_body> req{http::verb::post, "/v1/messages", 11};
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::authorization, "Bearer " + key);
        req.set(http::field::content_type, "application/json");
        req.set("Idempotency-Key", "storm");
        req.body() = kBody;
        req.prepare_payload();
        http::write(*s, req);
        conns.push_back(std::move(s));
      }
      for (auto& s : conns) {
        beast::flat_buffer buf;
        http::response<http::string_body> res;
        http::read(*s, buf, res);
        std::lock_guard lock(mu);
        ++statuses[res.result_int()];
        if (res.result_int() == 202) bodies_202.insert(res.body());
        if (res["Idempotent-Replayed"] == "true") ++replayed;
      }
    });
  }
  for (auto& t : threads) t.join();
  // Exactly one charge and one queued message; every 202 is that one message's answer.
  EXPECT_EQ(stack.Balance(account), 100000 - 10);
  EXPECT_EQ(Queued(stack, account), 1);
  EXPECT_EQ(bodies_202.size(), 1u);
  EXPECT_GE(statuses[202], 1);
  EXPECT_EQ(replayed, statuses[202] - 1);
  // The rest, if any, were told the first was still running (their wait is bounded).
  EXPECT_EQ(statuses[202] + statuses[409], kThreads * kPerThread);
}

TEST(ApiIdempotencyTest, AFailedEnqueueIsRunAgainOnRetryAndSentOnce) {
  Stack stack(NoScheduler());
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("idem-m5", 10, 100);
  const std::string express = R"({"to":"+989121234567","text":"urgent","priority":"express"})";
  // The express stream is broken (a string where a stream should be): the enqueue fails after
  // the debit, the API refunds, and the answer is 503.
  ASSERT_TRUE(stack.redis().Run({"SET", keys::kExpressQueue, "not a stream"}).ok());
  HttpResponse failed = Post(stack, key, "m5", express);
  ASSERT_EQ(failed.status, 503) << failed.body;
  EXPECT_EQ(failed.Header("retry-after"), "1");
  // The retry finds the first attempt's hold refunded, so nothing of it can be sent: it runs
  // again (and fails again while the stream is broken).
  EXPECT_EQ(Post(stack, key, "m5", express).status, 503);
  ASSERT_TRUE(stack.redis().Run({"DEL", keys::kExpressQueue}).ok());
  HttpResponse ok = Post(stack, key, "m5", express);
  ASSERT_EQ(ok.status, 202) << ok.body;
  EXPECT_EQ(ok.Header("idempotent-replayed"), "");
  EXPECT_EQ(Post(stack, key, "m5", express).Header("idempotent-replayed"), "true");

  stack.Start("smsgw-sched");
  const std::string id = ok.Json().at("id");
  EXPECT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, id) == "delivered"; })) << stack.MessageStatus(key, id);
  EXPECT_EQ(stack.Balance(account), 90);
  EXPECT_TRUE(WaitUntil([&] {
    return stack.Sql("SELECT count(*) FROM messages WHERE account_id = " + std::to_string(account) +
                     " AND submitted_at IS NOT NULL") == "1";
  }));
}

// A record of the request Post() sends with kBody, as the API writes it.
api::IdempotencyRecord RecordOfBody() {
  api::HttpRequest request;
  request.method = "POST";
  request.target = "/v1/messages";
  request.headers = {{"Content-Type", "application/json"}};
  request.body = kBody;
  api::IdempotencyRecord rec;
  rec.fingerprint = api::RequestFingerprint(request);
  return rec;
}

void Plant(Stack& stack, int64_t account, const std::string& idem, const api::IdempotencyRecord& rec) {
  ASSERT_TRUE(stack.redis()
                  .Run({"SET", keys::IdempotencyRecord(account, auth::HashApiKey(idem)), api::EncodeRecord(rec), "PX",
                        "86400000"})
                  .ok());
}

// A record left as the API leaves it after a 503 whose refund failed too: its message may or
// may not be queued. (The API writes this shape itself; the test plants it because making
// Redis fail between one pipeline and the next refund cannot be timed from outside.)
void PlantUnsettled(Stack& stack, int64_t account, const std::string& idem, const std::string& message_id,
                    const std::string& if_queued_body) {
  api::IdempotencyRecord rec = RecordOfBody();
  rec.state = api::IdempotencyRecord::State::kUnsettled;
  rec.claimed_ms = NowMs();
  rec.token = "planted";
  rec.status = 202;
  rec.headers = {{"Content-Type", "application/json"}};
  rec.body = if_queued_body;
  rec.message_ids = {message_id};
  Plant(stack, account, idem, rec);
}

v1::DebitRequest Debit(int64_t account, const std::string& id) {
  v1::DebitRequest d;
  d.set_account_id(account);
  d.set_message_id(id);
  d.set_cost(10);
  d.set_ttl_s(3600);
  return d;
}

TEST(ApiIdempotencyTest, AnUnsettledAnswerWaitsForTheHoldThenReplaysOrRunsAgain) {
  Stack stack(NoScheduler());
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("idem-unsettled", 10, 100);
  rpc::LedgerClient ledger(stack.ledger_address());

  // Held: the message may be in the queue. Not run again, not answered yet.
  const std::string held = "0190d6c5-0000-7000-8000-00000000000a";
  ASSERT_EQ(ledger.Debit(Debit(account, held))->result(), v1::LEDGER_OK);
  const std::string if_queued = R"({"id":")" + held + R"(","status":"accepted"})";
  PlantUnsettled(stack, account, "maybe", held, if_queued);
  HttpResponse pending = Post(stack, key, "maybe");
  EXPECT_EQ(pending.status, 409) << pending.body;
  EXPECT_EQ(pending.Json().at("code"), "idempotency_key_in_use");
  EXPECT_FALSE(pending.Header("retry-after").empty());
  // Captured: the scheduler took it, so it is on its way; the success answer is replayed.
  ASSERT_EQ(ledger.Capture(account, held)->result(), v1::LEDGER_OK);
  HttpResponse sent = Post(stack, key, "maybe");
  EXPECT_EQ(sent.status, 202);
  EXPECT_EQ(sent.body, if_queued);
  EXPECT_EQ(sent.Header("idempotent-replayed"), "true");
  EXPECT_EQ(Queued(stack, account), 0);  // nothing new was queued
  EXPECT_EQ(stack.Balance(account), 90);

  // Refunded: nothing was or will be sent, so the request runs again.
  const std::string refunded = "0190d6c5-0000-7000-8000-00000000000b";
  ASSERT_EQ(ledger.Debit(Debit(account, refunded))->result(), v1::LEDGER_OK);
  ASSERT_TRUE(ledger.Refund(account, refunded, "enqueue failed").ok());
  PlantUnsettled(stack, account, "failed", refunded, "{}");
  HttpResponse rerun = Post(stack, key, "failed");
  ASSERT_EQ(rerun.status, 202) << rerun.body;
  EXPECT_EQ(rerun.Header("idempotent-replayed"), "");
  EXPECT_EQ(Queued(stack, account), 1);
  EXPECT_EQ(stack.Balance(account), 80);
}

TEST(ApiIdempotencyTest, AClaimLeftByADeadServerIsSettledFromItsMessages) {
  Stack stack(NoScheduler());  // a claim is stale after idempotency_stale_ms (60 s)
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("idem-stale", 10, 100);
  rpc::LedgerClient ledger(stack.ledger_address());
  auto plant_claim = [&](const std::string& idem, int64_t claimed_ms) {
    api::IdempotencyRecord rec = RecordOfBody();  // a claim, as a server that died left it
    rec.claimed_ms = claimed_ms;
    rec.token = "dead";
    Plant(stack, account, idem, rec);
  };
  // Its server died before the debit: nothing holds money for its ids, so a retry runs.
  const int64_t long_ago = NowMs() - 120000;
  plant_claim("died-early", long_ago);
  HttpResponse ran = Post(stack, key, "died-early");
  EXPECT_EQ(ran.status, 202) << ran.body;
  EXPECT_EQ(stack.Balance(account), 90);

  // Its server died after its message was queued and captured: that message went out, so the
  // request is not run again; the answer names the message to look up.
  plant_claim("died-late", long_ago);
  const std::string sent = api::SeededMessageId(auth::HashApiKey("died-late"), account, long_ago, 0);
  ASSERT_EQ(ledger.Debit(Debit(account, sent))->result(), v1::LEDGER_OK);
  ASSERT_EQ(ledger.Capture(account, sent)->result(), v1::LEDGER_OK);
  HttpResponse unknown = Post(stack, key, "died-late");
  EXPECT_EQ(unknown.status, 409) << unknown.body;
  EXPECT_EQ(unknown.Json().at("code"), "idempotency_outcome_unknown");
  EXPECT_NE(unknown.Json().at("detail").get<std::string>().find(sent), std::string::npos);
  EXPECT_EQ(stack.Balance(account), 80);
}

}  // namespace
}  // namespace smsgw::testing
