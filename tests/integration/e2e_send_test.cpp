// The walking skeleton end to end: smsctl creates and funds an account, the customer sends
// through the REST API, the scheduler submits to the SMSC simulator over SMPP, receipts come
// back, smsgw-report writes PostgreSQL, and the API shows `delivered`. The balance falls by
// exactly the cost.
#include <gtest/gtest.h>
#include <tuple>

#include "stack.h"

namespace smsgw::testing {
namespace {

TEST(EndToEndTest, MessagesAreDeliveredAndChargedExactly) {
  Stack stack;
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("acme", 10, 1000);
  EXPECT_EQ(stack.Balance(account), 1000);

  struct Sent {
    std::string id;
    int64_t cost;
  };
  std::vector<Sent> sent;
  const std::string long_text(200, 'x');  // 200 GSM-7 septets: 2 segments
  const std::vector<std::pair<std::string, int>> messages = {
      {R"({"to":"+989121234567","text":"salam"})", 1},
      {R"({"to":"+989121234568","text":"سلام دنیا"})", 1},  // Persian: UCS-2, one segment
      {R"({"to":"+989121234569","text":")" + long_text + R"("})", 2},
  };
  for (const auto& [body, segments] : messages) {
    HttpResponse r = stack.Api("POST", "/v1/messages", body, key);
    ASSERT_EQ(r.status, 202) << r.body;
    nlohmann::json j = r.Json();
    EXPECT_EQ(j.at("status"), "accepted");
    EXPECT_EQ(j.at("segments"), segments);
    EXPECT_EQ(j.at("cost"), segments * 10);
    EXPECT_EQ(r.Header("location"), "/v1/messages/" + j.at("id").get<std::string>());
    sent.push_back({j.at("id"), j.at("cost")});
    // Right after the 202 the message is already visible, even before smsgw-report wrote it.
    HttpResponse now = stack.Api("GET", "/v1/messages/" + sent.back().id, "", key);
    EXPECT_EQ(now.status, 200) << now.body;
    if (now.status == 200) {
      EXPECT_EQ(now.Json().at("cost"), segments * 10);
    }
  }
  EXPECT_EQ(stack.Api("POST", "/v1/messages", messages[1].first, key).Json().at("encoding"), "ucs2");

  for (const Sent& s : sent) {
    EXPECT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, s.id) == "delivered"; }))
        << s.id << " is " << stack.MessageStatus(key, s.id);
  }
  HttpResponse one = stack.Api("GET", "/v1/messages/" + sent[0].id, "", key);
  ASSERT_EQ(one.status, 200);
  nlohmann::json j = one.Json();
  EXPECT_EQ(j.at("to"), "+989121234567");
  EXPECT_FALSE(j.at("accepted_at").is_null());
  EXPECT_FALSE(j.at("submitted_at").is_null());
  EXPECT_FALSE(j.at("done_at").is_null());

  // 10 + 10 + 20 for the three, and 10 for the second Persian message.
  EXPECT_EQ(stack.Balance(account), 1000 - 10 - 10 - 20 - 10);
  HttpResponse balance = stack.Api("GET", "/v1/balance", "", key);
  ASSERT_EQ(balance.status, 200);
  EXPECT_EQ(balance.Json().at("balance"), 950);

  // Everything was acked and deleted: nothing is left in the queues or the event stream.
  EXPECT_TRUE(WaitUntil([&] {
    return stack.redis().Run({"XLEN", "ev:report"})->integer == 0 &&
           stack.redis().Run({"XLEN", "{a:" + std::to_string(account) + "}:q"})->integer == 0;
  }));
  // The ledger's write-behind flush brings PostgreSQL's balance to the same figure.
  EXPECT_TRUE(WaitUntil([&] { return stack.Sql("SELECT balance FROM accounts WHERE id = " + std::to_string(account)) == "950"; }));
}

TEST(EndToEndTest, ExpressMessagesAreDeliveredToo) {
  Stack stack;
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("fast", 10, 100);
  HttpResponse r = stack.Api("POST", "/v1/messages", R"({"to":"+989121234567","text":"now","priority":"express"})", key);
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string id = r.Json().at("id");
  EXPECT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, id) == "delivered"; })) << stack.MessageStatus(key, id);
  EXPECT_EQ(stack.Balance(account), 90);
}

}  // namespace
}  // namespace smsgw::testing
