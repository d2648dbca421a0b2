// Account and API key administration through smsctl against the real ledger: PostgreSQL is the
// truth, the account hash in Redis mirrors what the API and the scheduler read (areas contract
// 1), changes are announced on smsgw:auth (contract 2), and the REST API refuses a revoked key
// (401) and a disabled account (403 account_disabled).
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <sys/socket.h>

#include <algorithm>

#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <tuple>

#include "auth/api_key.h"
#include "stack.h"

namespace smsgw::testing {
namespace {

// Collects the messages published on one channel.
class Subscriber {
 public:
  Subscriber(int port, const std::string& channel) {
    ctx_ = redisConnect("127.0.0.1", port);
    if (ctx_ == nullptr || ctx_->err != 0) throw std::runtime_error("cannot connect to Redis to SUBSCRIBE");
    auto* ok = static_cast<redisReply*>(redisCommand(ctx_, "SUBSCRIBE %s", channel.c_str()));
    if (ok == nullptr) throw std::runtime_error("SUBSCRIBE failed");
    freeReplyObject(ok);
    thread_ = std::thread([this] {
      while (true) {
        void* raw = nullptr;
        if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) return;  // closed by the destructor
        auto* r = static_cast<redisReply*>(raw);
        if (r->type == REDIS_REPLY_ARRAY && r->elements == 3) {
          std::lock_guard lock(mu_);
          seen_.emplace_back(r->element[2]->str, r->element[2]->len);
        }
        freeReplyObject(r);
      }
    });
  }
  ~Subscriber() {
    shutdown(ctx_->fd, SHUT_RDWR);
    thread_.join();
    redisFree(ctx_);
  }
  bool Saw(const std::string& message) {
    std::lock_guard lock(mu_);
    return std::find(seen_.begin(), seen_.end(), message) != seen_.end();
  }

 private:
  redisContext* ctx_ = nullptr;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> seen_;
};

Stack::Options LedgerAndApi() {
  Stack::Options o = Stack::LedgerOnly();
  o.api = true;
  o.api_toml = "auth_cache_ms = 1000\n";  // keeps the waits for the cache short
  return o;
}

class LedgerAdminTest : public ::testing::Test {
 protected:
  LedgerAdminTest() : stack_(LedgerAndApi()) {}

  nlohmann::json Json(const std::vector<std::string>& args) {
    std::vector<std::string> with = args;
    with.insert(with.end(), {"--output", "json"});
    CommandResult r = stack_.Smsctl(with);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json();
  }
  std::string Field(int64_t account, const std::string& field) {
    Result<redis::Reply> r = stack_.redis().Run({"HGET", "{a:" + std::to_string(account) + "}:acct", field});
    return r.ok() && !r->is_nil() ? r->str : "(nil)";
  }
  int BalanceStatus(const std::string& key) { return stack_.Api("GET", "/v1/balance", "", key).status; }

  Stack stack_;
};

TEST_F(LedgerAdminTest, AccountSettingsAreKeptInPostgresAndMirroredToRedis) {
  nlohmann::json created = Json({"account", "create", "--name", "acme", "--price", "10", "--price-express", "25"});
  const int64_t id = created.at("id").get<int64_t>();
  const std::string sid = std::to_string(id);

  nlohmann::json shown = Json({"account", "show", sid});
  EXPECT_EQ(shown.at("name"), "acme");
  EXPECT_EQ(shown.at("status"), "active");
  EXPECT_EQ(shown.at("price"), 10);
  EXPECT_EQ(shown.at("price_express"), 25);
  EXPECT_EQ(shown.at("weight"), 1);
  EXPECT_TRUE(shown.at("rate_rps").is_null());
  EXPECT_EQ(shown.at("keys"), 1);

  EXPECT_EQ(Json({"account", "set-price", sid, "--price-express", "30"}).at("price_express"), 30);
  EXPECT_EQ(Field(id, "price_express"), "30");
  EXPECT_EQ(Field(id, "price_normal"), "10");  // unchanged
  EXPECT_EQ(Json({"account", "set-weight", sid, "7"}).at("weight"), 7);
  EXPECT_EQ(Field(id, "weight"), "7");
  EXPECT_EQ(stack_.Sql("SELECT weight FROM accounts WHERE id = " + sid), "7");

  nlohmann::json limited = Json({"account", "set-rate-limit", sid, "--rps", "50", "--burst", "100"});
  EXPECT_EQ(limited.at("rate_rps"), 50);
  EXPECT_EQ(Field(id, "rate_rps"), "50");
  EXPECT_EQ(Field(id, "rate_burst"), "100");
  EXPECT_TRUE(Json({"account", "set-rate-limit", sid, "--default"}).at("rate_rps").is_null());
  EXPECT_EQ(Field(id, "rate_rps"), "(nil)");  // absent: the API's configured rate
  EXPECT_EQ(Field(id, "rate_burst"), "(nil)");
  EXPECT_EQ(stack_.Sql("SELECT coalesce(rate_limit_rps, 0) FROM accounts WHERE id = " + sid), "0");

  // The webhook secret exists from the start, stays until rotated, and rotating replaces it.
  const std::string secret = Json({"account", "webhook-secret", sid}).at("webhook_secret");
  EXPECT_EQ(secret.size(), 64u);
  EXPECT_EQ(Json({"account", "webhook-secret", sid}).at("webhook_secret"), secret);
  const std::string rotated = Json({"account", "webhook-secret", sid, "--rotate"}).at("webhook_secret");
  EXPECT_EQ(rotated.size(), 64u);
  EXPECT_EQ(rotated.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(rotated, secret);
  EXPECT_EQ(stack_.Sql("SELECT webhook_secret FROM accounts WHERE id = " + sid), rotated);

  // Listings: every account, in every output format.
  Json({"account", "create", "--name", "second", "--price", "5"});
  nlohmann::json listed = Json({"account", "list"});
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].at("name"), "acme");
  EXPECT_EQ(listed[1].at("name"), "second");
  CommandResult csv = stack_.Smsctl({"account", "list", "--output", "csv"});
  EXPECT_EQ(csv.exit_code, 0);
  EXPECT_EQ(csv.out.rfind("id,name,status,price,", 0), 0u) << csv.out;
  EXPECT_NE(csv.out.find(sid + ",acme,active,10,30,7,,,0,0,1,"), std::string::npos) << csv.out;
  CommandResult table = stack_.Smsctl({"account", "list"});
  EXPECT_NE(table.out.find("NAME"), std::string::npos) << table.out;
}

TEST_F(LedgerAdminTest, BadInputGetsAClearErrorAndADocumentedExitCode) {
  nlohmann::json created = Json({"account", "create", "--name", "acme", "--price", "10"});
  const std::string sid = std::to_string(created.at("id").get<int64_t>());
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string in_message;
  };
  for (const Case& c : std::vector<Case>{
           {{"account", "show", "999999"}, 3, "account 999999 does not exist"},
           {{"account", "disable", "999999"}, 3, "does not exist"},
           {{"key", "create", "999999"}, 3, "does not exist"},
           {{"key", "revoke", "0123456789abcdef"}, 3, "no API key"},
           {{"account", "create", "--name", "acme", "--price", "1"}, 4, "exists"},
           {{"account", "set-weight", sid, "0"}, 2, "weight"},
           {{"account", "set-weight", sid, "1001"}, 2, "weight"},
           {{"account", "set-price", sid}, 2, "--price"},
           {{"account", "set-rate-limit", sid, "--rps", "5"}, 2, "--burst"},
           {{"account", "set-rate-limit", sid, "--rps", "5", "--burst", "5", "--default"}, 2, "excludes"},
           {{"account", "show", "abc"}, 2, "account"},
       }) {
    CommandResult r = stack_.Smsctl(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.args[1] << ": " << r.err;
    EXPECT_NE(r.err.find(c.in_message), std::string::npos) << r.err;
  }
  EXPECT_EQ(stack_.Sql("SELECT count(*) FROM accounts"), "1");
}

TEST_F(LedgerAdminTest, DisabledAccountsAndRevokedKeysAreRefusedAndAnnounced) {
  Subscriber auth(Servers::FromEnv().redis_port, "smsgw:auth");
  nlohmann::json created = Json({"account", "create", "--name", "acme", "--price", "10"});
  const int64_t id = created.at("id").get<int64_t>();
  const std::string sid = std::to_string(id);
  const std::string key1 = created.at("api_key");
  nlohmann::json second = Json({"key", "create", sid});
  const std::string key2 = second.at("api_key");
  EXPECT_EQ(key2.substr(0, key2.find('.')), second.at("key_id"));
  EXPECT_EQ(BalanceStatus(key1), 200);
  EXPECT_EQ(BalanceStatus(key2), 200);

  nlohmann::json keys = Json({"key", "list", sid});
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].at("status"), "active");

  // Disabled: the account hash says so, the change is announced, and the API answers 403.
  EXPECT_EQ(Json({"account", "disable", sid}).at("status"), "disabled");
  EXPECT_EQ(Field(id, "status"), "disabled");
  EXPECT_TRUE(WaitUntil([&] { return auth.Saw("account " + sid); }));
  ASSERT_TRUE(WaitUntil([&] { return BalanceStatus(key1) == 403; }));
  HttpResponse refused = stack_.Api("POST", "/v1/messages", R"({"to":"+989121234567","text":"hi"})", key1);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.Json().value("code", ""), "account_disabled");
  Json({"account", "enable", sid});
  EXPECT_EQ(Field(id, "status"), "active");
  EXPECT_TRUE(WaitUntil([&] { return BalanceStatus(key1) == 200; }));

  // Revoked: gone from Redis and announced by its hash; the API answers 401; the other key works.
  const std::string hash2 = auth::HashApiKey(key2);
  nlohmann::json revoked = Json({"key", "revoke", second.at("key_id")});
  EXPECT_FALSE(revoked.at("already_revoked").get<bool>());
  EXPECT_TRUE(stack_.redis().Run({"GET", "apikey:" + hash2})->is_nil());
  EXPECT_FALSE(stack_.Sql("SELECT revoked_at FROM api_keys WHERE key_hash = '" + hash2 + "'").empty());
  EXPECT_TRUE(WaitUntil([&] { return auth.Saw("key " + hash2); }));
  EXPECT_TRUE(WaitUntil([&] { return BalanceStatus(key2) == 401; }));
  EXPECT_EQ(BalanceStatus(key1), 200);
  keys = Json({"key", "list", sid});
  EXPECT_EQ(keys[1].at("status"), "revoked");
  EXPECT_EQ(Json({"account", "show", sid}).at("keys"), 1);
  // Revoking again changes nothing and says so.
  nlohmann::json again = Json({"key", "revoke", second.at("key_id")});
  EXPECT_TRUE(again.at("already_revoked").get<bool>());
  EXPECT_EQ(again.at("revoked"), revoked.at("revoked"));
}

// Areas contract 5: the API reads a message's hold where the ledger keeps it (lib/keys), so
// while smsgw-report has not written the message (here it does not run) GET shows it from
// the hold.
TEST_F(LedgerAdminTest, TheApiReadsHoldsWhereTheLedgerKeepsThem) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_.CreateFundedAccount("reader", 10, 100);
  HttpResponse sent = stack_.Api("POST", "/v1/messages", R"({"to":"+989121234567","text":"hi"})", key);
  ASSERT_EQ(sent.status, 202) << sent.body;
  const std::string id = sent.Json().at("id");
  HttpResponse shown = stack_.Api("GET", "/v1/messages/" + id, "", key);
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(shown.Json().value("status", ""), "accepted");
  EXPECT_EQ(shown.Json().value("cost", 0), 10);
  EXPECT_EQ(stack_.Hold(account, id).rfind("held:10:", 0), 0u) << stack_.Hold(account, id);
  rpc::LedgerClient ledger(stack_.ledger_address());
  ASSERT_EQ(ledger.Refund(account, id, "test")->result(), v1::LEDGER_OK);
  EXPECT_EQ(stack_.Hold(account, id), "refunded:10");
}

}  // namespace
}  // namespace smsgw::testing
