// Status callbacks end to end (review m15): a message sent through the API with a callback_url
// is stored with it, and each status change reaches a receiver on loopback as a POST signed
// with the account's webhook secret; answers of 500 are retried with backoff until one is
// accepted; `smsctl report webhooks` shows the attempts. A Kannel dlr-url gets a GET with its
// escapes filled in. A target the policy refuses is refused on its resolved address.
#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "keys/keys.h"
#include "proto/smsgw.pb.h"
#include "sms/uuid7.h"
#include "stack.h"
#include "webhook/sender.h"
#include "webhook/signature.h"
#include "webhook_receiver.h"

namespace smsgw::testing {
namespace {

constexpr auto kDeadline = std::chrono::seconds(60);

// Checks "t=<unix>,v1=<hex>" against the body and secret, and that t is recent.
bool SignatureValid(const ReceivedRequest& r, const std::string& secret) {
  auto it = r.headers.find("x-smsgw-signature");
  if (it == r.headers.end()) return false;
  const std::string& v = it->second;
  const size_t comma = v.find(",v1=");
  if (v.rfind("t=", 0) != 0 || comma == std::string::npos) return false;
  const std::string t = v.substr(2, comma - 2);
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  if (std::llabs(now - std::stoll(t)) > 300) return false;
  return v.substr(comma + 4) == webhook::HmacSha256Hex(secret, t + "." + r.body);
}

TEST(ReportWebhookTest, SignedCallbacksAreRetriedUntilAccepted) {
  // The first two POSTs fail with 500; everything after is accepted.
  WebhookReceiver receiver([](int n, const ReceivedRequest& r) { return r.method == "POST" && n < 2 ? 500 : 200; });
  Stack::Options options;
  options.report_toml = "webhook_allow_private = true\nwebhook_retry_base_ms = 200\n";
  Stack stack(options);
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("hooks", 10, 1000);
  const std::string secret = stack.Sql("SELECT webhook_secret FROM accounts WHERE id = " + std::to_string(account));
  ASSERT_GE(secret.size(), 32u);

  HttpResponse sent = stack.Api("POST", "/v1/messages",
                                R"({"to":"+989121234567","text":"hook me","callback_url":")" + receiver.Url("/hook") + R"("})",
                                key);
  ASSERT_EQ(sent.status, 202) << sent.body;
  const std::string id = sent.Json()["id"];
  ASSERT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, id) == "delivered"; }, kDeadline));
  EXPECT_EQ(stack.Sql("SELECT callback_url FROM messages WHERE id = '" + id + "'"), receiver.Url("/hook"));

  // Both changes (submitted, delivered) arrive and are finally accepted.
  auto accepted_statuses = [&] {
    std::set<std::string> s;
    for (const ReceivedRequest& r : receiver.Requests()) {
      if (r.answered == 200) s.insert(nlohmann::json::parse(r.body)["status"].get<std::string>());
    }
    return s;
  };
  ASSERT_TRUE(WaitUntil([&] { return accepted_statuses() == std::set<std::string>{"submitted", "delivered"}; }, kDeadline))
      << receiver.Requests().size() << " requests";
  const std::vector<ReceivedRequest> got = receiver.Requests();
  std::map<std::string, int> tries;
  for (const ReceivedRequest& r : got) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/hook");
    EXPECT_EQ(r.headers.at("content-type"), "application/json");
    EXPECT_TRUE(SignatureValid(r, secret)) << r.headers.at("x-smsgw-signature");
    EXPECT_FALSE(SignatureValid(r, secret + "x"));
    nlohmann::json body = nlohmann::json::parse(r.body);
    EXPECT_EQ(body["message_id"], id);
    EXPECT_EQ(body["to"], "+989121234567");
    ++tries[body["status"]];
  }
  EXPECT_EQ(got[0].answered, 500);
  EXPECT_EQ(got[1].answered, 500);
  int total = 0;
  for (const auto& [status, n] : tries) total += n;
  EXPECT_EQ(total, 4);  // two failures and two successes: nothing sent twice after success

  CommandResult cli = stack.Smsctl({"report", "webhooks", "--account", std::to_string(account), "-o", "json"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  nlohmann::json rows = nlohmann::json::parse(cli.out);
  ASSERT_EQ(rows.size(), 2u) << cli.out;
  int attempts = 0;
  for (const auto& row : rows) {
    EXPECT_EQ(row["state"], "delivered");
    EXPECT_EQ(row["last_code"], 200);
    EXPECT_EQ(row["message_id"], id);
    attempts += row["attempts"].get<int>();
  }
  EXPECT_EQ(attempts, 4);
}

// A Kannel dlr-url (as /cgi-bin/sendsms stores it on the accepted event) is fetched with GET for
// the statuses its dlr-mask asks for, escapes filled in.
TEST(ReportWebhookTest, KannelDlrUrlIsFetchedForMaskedStatuses) {
  WebhookReceiver receiver([](int, const ReceivedRequest&) { return 200; });
  Stack::Options options;
  options.sim = options.sched = options.api = false;
  options.report_toml = "webhook_allow_private = true\nwebhook_retry_base_ms = 200\n";
  Stack stack(options);
  const std::string id = sms::NewUuidV7();
  const int64_t now = sms::UuidV7TimeMs(id).value();
  auto add = [&](const v1::StatusEvent& e) {
    ASSERT_TRUE(stack.redis().Run({"XADD", keys::kReportEvents, "*", keys::kPayloadField, e.SerializeAsString()}).ok());
  };
  v1::StatusEvent accepted;
  accepted.set_message_id(id);
  accepted.set_account_id(42);
  accepted.set_status(v1::STATUS_ACCEPTED);
  accepted.set_at_ms(now);
  accepted.set_to("+989121234567");
  accepted.set_from("SMSGW");
  accepted.set_cost(10);
  accepted.set_dlr_url(receiver.Url("/dlr?type=%d&id=%I&to=%P&from=%p&smsc=%i&ts=%T&reply=%A"));
  accepted.set_dlr_mask(1 | 2);  // delivered or not: not the SMSC's acceptance (8)
  add(accepted);
  v1::StatusEvent submitted;
  submitted.set_message_id(id);
  submitted.set_account_id(42);
  submitted.set_status(v1::STATUS_SUBMITTED);
  submitted.set_at_ms(now + 10);
  submitted.set_operator_name("sim");
  add(submitted);
  v1::StatusEvent delivered = submitted;
  delivered.set_status(v1::STATUS_DELIVERED);
  delivered.set_at_ms(now + 2000);
  add(delivered);
  ASSERT_TRUE(WaitUntil([&] { return !receiver.Requests().empty(); }, kDeadline));
  ASSERT_TRUE(WaitUntil([&] {
    return stack.Sql("SELECT count(*) FROM webhook_deliveries WHERE state = 'delivered'") == "1";
  }, kDeadline));
  const std::vector<ReceivedRequest> got = receiver.Requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].method, "GET");
  EXPECT_EQ(got[0].target, "/dlr?type=1&id=" + id + "&to=%2B989121234567&from=SMSGW&smsc=sim&ts=" +
                               std::to_string((now + 2000) / 1000) + "&reply=delivered");
}

// The policy is applied to the address a name resolves to, at delivery: without
// webhook_allow_private, nothing reaches a loopback receiver, and the outcome says why.
TEST(ReportWebhookTest, PrivateTargetIsRefusedOnItsResolvedAddress) {
  WebhookReceiver receiver([](int, const ReceivedRequest&) { return 200; });
  webhook::HttpSender sender({4, 2, 5000, false});
  // "localhost" is refused by the URL check already; here the sender alone is asked, as for a
  // public-looking name whose DNS answer is private.
  sender.Add({1, true, receiver.Url("/hook"), "{}", {}});
  sender.Add({2, false, "http://localhost:" + std::to_string(receiver.port()) + "/dlr", "", {}});
  std::vector<webhook::Outcome> done;
  ASSERT_TRUE(WaitUntil([&] {
    for (webhook::Outcome& o : sender.Poll(100)) done.push_back(std::move(o));
    return done.size() == 2;
  }, std::chrono::seconds(30)));
  for (const webhook::Outcome& o : done) {
    EXPECT_TRUE(o.refused) << o.id << ": " << o.error;
    EXPECT_NE(o.error.find("refused"), std::string::npos) << o.error;
    EXPECT_EQ(o.http_code, 0);
  }
  EXPECT_TRUE(receiver.Requests().empty());

  webhook::HttpSender allowed({4, 2, 5000, true});
  allowed.Add({3, true, receiver.Url("/hook"), "{}", {}});
  done.clear();
  ASSERT_TRUE(WaitUntil([&] {
    for (webhook::Outcome& o : allowed.Poll(100)) done.push_back(std::move(o));
    return done.size() == 1;
  }, std::chrono::seconds(30)));
  EXPECT_EQ(done[0].http_code, 200);
  EXPECT_TRUE(done[0].error.empty()) << done[0].error;
  EXPECT_EQ(receiver.Requests().size(), 1u);
}

}  // namespace
}  // namespace smsgw::testing
