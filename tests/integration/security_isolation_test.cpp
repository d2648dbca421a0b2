// Per-account isolation on every read route (issue 11 item 5, docs/security.md). Two accounts
// send messages; then one tries every read with the other's ids, cursor, filters and key id:
// GET /v1/messages/{id}, the list with the other's cursor and with filters naming the other's
// numbers and client_ref, the export, the stats, the balance, an Idempotency-Key the other
// used, and Kannel's sendsms with the other's key id and a wrong secret. Nothing of the other
// account comes back.
#include <gtest/gtest.h>

#include <set>

#include "stack.h"

namespace smsgw::testing {
namespace {

constexpr auto kDeadline = std::chrono::seconds(60);

struct Account {
  int64_t id = 0;
  std::string key;
  std::string to;          // every message of the account goes to this number
  std::string client_ref;  // and carries this client_ref
  std::set<std::string> ids;
};

Account Make(Stack& stack, const std::string& name, const std::string& to, int messages) {
  Account a;
  std::tie(a.id, a.key) = stack.CreateFundedAccount(name, 10, 1000);
  a.to = to;
  a.client_ref = name + "-ref";
  for (int i = 0; i < messages; ++i) {
    const nlohmann::json body = {{"to", to}, {"text", name + " " + std::to_string(i)}, {"client_ref", a.client_ref}};
    HttpResponse r = stack.Api("POST", "/v1/messages", body.dump(), a.key);
    EXPECT_EQ(r.status, 202) << r.body;
    if (r.status == 202) a.ids.insert(r.Json().at("id").get<std::string>());
  }
  return a;
}

// The ids of a list page; `cursor` gets its next_cursor.
std::vector<std::string> ListIds(Stack& stack, const std::string& key, const std::string& query,
                                 std::string* cursor = nullptr) {
  HttpResponse r = stack.Api("GET", "/v1/messages" + query, "", key);
  EXPECT_EQ(r.status, 200) << query << ": " << r.body;
  std::vector<std::string> ids;
  if (r.status != 200) return ids;
  const nlohmann::json j = r.Json();
  for (const nlohmann::json& m : j.at("messages")) ids.push_back(m.at("id").get<std::string>());
  if (cursor != nullptr) *cursor = j.at("next_cursor").is_null() ? "" : j.at("next_cursor").get<std::string>();
  return ids;
}

TEST(SecurityIsolationTest, NoReadRouteShowsAnotherAccountsData) {
  Stack stack;
  Account a = Make(stack, "iso-a", "+989121230001", 3);
  Account b = Make(stack, "iso-b", "+989121230002", 5);
  ASSERT_EQ(a.ids.size(), 3u);
  ASSERT_EQ(b.ids.size(), 5u);
  // All delivered and in smsgw-report's store (the list, export and stats read it).
  for (const Account* acc : {&a, &b}) {
    ASSERT_TRUE(WaitUntil(
        [&] {
          std::vector<std::string> ids = ListIds(stack, acc->key, "?status=delivered");
          return ids.size() == acc->ids.size();
        },
        kDeadline))
        << acc->client_ref;
  }

  // GET /v1/messages/{id}: the other's ids are 404, as an unknown id is.
  const HttpResponse unknown = stack.Api("GET", "/v1/messages/0190d6c5-0000-7000-8000-000000000001", "", a.key);
  EXPECT_EQ(unknown.status, 404);
  for (const std::string& id : b.ids) {
    HttpResponse r = stack.Api("GET", "/v1/messages/" + id, "", a.key);
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(r.Json().value("code", ""), "not_found");
    EXPECT_EQ(r.body.find(b.to), std::string::npos);
  }

  // The list: with no filter, only A's; with B's cursor (the position of one of B's messages),
  // only A's older ones; filters naming B's number or client_ref find nothing.
  std::vector<std::string> all = ListIds(stack, a.key, "?limit=1000");
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()), a.ids);
  std::string b_cursor;
  ListIds(stack, b.key, "?limit=1", &b_cursor);
  ASSERT_FALSE(b_cursor.empty());
  for (const std::string& id : ListIds(stack, a.key, "?limit=1000&cursor=" + b_cursor)) {
    EXPECT_EQ(a.ids.count(id), 1u) << id << " came back with another account's cursor";
  }
  std::string a_cursor;
  ListIds(stack, a.key, "?limit=1", &a_cursor);
  ASSERT_FALSE(a_cursor.empty());
  for (const std::string& id : ListIds(stack, b.key, "?limit=1000&cursor=" + a_cursor)) {
    EXPECT_EQ(b.ids.count(id), 1u) << id << " came back with another account's cursor";
  }
  EXPECT_TRUE(ListIds(stack, a.key, "?to=%2B989121230002").empty());
  EXPECT_TRUE(ListIds(stack, a.key, "?client_ref=" + b.client_ref).empty());
  EXPECT_TRUE(ListIds(stack, a.key, "?client_ref=" + b.client_ref + "&to=%2B989121230002&status=delivered").empty());

  // The export, in both formats: A's messages, none of B's.
  for (const char* format : {"csv", "jsonl"}) {
    HttpResponse r = stack.Api("GET", std::string("/v1/messages/export?format=") + format, "", a.key);
    ASSERT_EQ(r.status, 200) << r.body;
    for (const std::string& id : a.ids) EXPECT_NE(r.body.find(id), std::string::npos) << format;
    for (const std::string& id : b.ids) EXPECT_EQ(r.body.find(id), std::string::npos) << format;
    EXPECT_EQ(r.body.find(b.client_ref), std::string::npos) << format;
    EXPECT_EQ(r.body.find("989121230002"), std::string::npos) << format;
  }

  // The stats count A's 3 messages (B sent 5), and the balance is A's.
  HttpResponse stats = stack.Api("GET", "/v1/stats?days=2", "", a.key);
  ASSERT_EQ(stats.status, 200) << stats.body;
  int64_t messages = 0, cost = 0;
  const nlohmann::json stats_json = stats.Json();  // kept: the loop reads into it
  for (const nlohmann::json& day : stats_json.at("days")) {
    messages += day.at("messages").get<int64_t>();
    cost += day.at("cost").get<int64_t>();
  }
  EXPECT_EQ(messages, 3) << stats.body;
  EXPECT_EQ(cost, 30) << stats.body;
  HttpResponse balance = stack.Api("GET", "/v1/balance", "", a.key);
  ASSERT_EQ(balance.status, 200) << balance.body;
  EXPECT_EQ(balance.Json().at("account_id").get<int64_t>(), a.id);
  EXPECT_EQ(balance.Json().at("balance").get<int64_t>(), 1000 - 30);

  // An Idempotency-Key B used is A's own name space: A's send is a new message of A's.
  Headers idem_b{{"Idempotency-Key", "shared-key-1"}};
  HttpResponse first = stack.Api("POST", "/v1/messages", R"({"to":"+989121230002","text":"b idem"})", b.key, idem_b);
  ASSERT_EQ(first.status, 202) << first.body;
  HttpResponse second = stack.Api("POST", "/v1/messages", R"({"to":"+989121230001","text":"a idem"})", a.key, idem_b);
  ASSERT_EQ(second.status, 202) << second.body;
  EXPECT_NE(second.Json().at("id"), first.Json().at("id"));
  EXPECT_EQ(stack.Api("GET", "/v1/messages/" + first.Json().at("id").get<std::string>(), "", a.key).status, 404);

  // Kannel: B's key id with A's secret, or with a made-up one, is refused and charges nobody.
  const int64_t b_balance = stack.Balance(b.id);
  const std::string b_user = b.key.substr(0, b.key.find('.'));
  const std::string a_secret = a.key.substr(a.key.find('.') + 1);
  for (const std::string& pass : {a_secret, std::string("not-the-secret")}) {
    HttpResponse r = stack.Api("GET", "/cgi-bin/sendsms?username=" + b_user + "&password=" + pass +
                                          "&to=989121230003&text=x");
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(r.body, "Authorization failed for sendsms");
  }
  EXPECT_EQ(stack.Balance(b.id), b_balance);
}

}  // namespace
}  // namespace smsgw::testing
