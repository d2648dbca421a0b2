// Step 5 of the skeleton: what a customer meets when something is wrong. Every error is
// application/problem+json with a stable code, and nothing is charged or queued.
#include <gtest/gtest.h>
#include <tuple>

#include "stack.h"

namespace smsgw::testing {
namespace {

class ApiErrorsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Stack::Options options;
    options.sched = false;  // messages stay queued, so the tests can see what was queued
    stack_ = new Stack(options);
    // The ledger sets it after its warm-up (contract 3); without it an unknown key is 503.
    (void)stack_->redis().Run({"SET", "ledger:ready", "1"});
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }
  static Stack* stack_;
};
Stack* ApiErrorsTest::stack_ = nullptr;

void ExpectProblem(const HttpResponse& r, int status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/problem+json") << r.body;
  nlohmann::json j = r.Json();
  EXPECT_EQ(j.at("status"), status);
  EXPECT_EQ(j.at("code"), code) << r.body;
  EXPECT_TRUE(j.contains("title"));
  EXPECT_TRUE(j.contains("type"));
}

TEST_F(ApiErrorsTest, NoBalanceForTheCostIs402AndNothingIsQueued) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_->CreateFundedAccount("poor", 10, 15);
  HttpResponse first = stack_->Api("POST", "/v1/messages", R"({"to":"+989121234567","text":"one"})", key);
  ASSERT_EQ(first.status, 202) << first.body;
  const std::string queue = "{a:" + std::to_string(account) + "}:q";
  const int64_t queued = stack_->redis().Run({"XLEN", queue})->integer;

  HttpResponse second = stack_->Api("POST", "/v1/messages", R"({"to":"+989121234567","text":"two"})", key);
  ExpectProblem(second, 402, "insufficient_funds");
  EXPECT_EQ(stack_->redis().Run({"XLEN", queue})->integer, queued);
  EXPECT_EQ(stack_->Balance(account), 5);
}

TEST_F(ApiErrorsTest, TheLastUnitOfBalanceIsUsable) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_->CreateFundedAccount("exact", 10, 20);
  EXPECT_EQ(stack_->Api("POST", "/v1/messages", R"({"to":"+989121234567","text":"a"})", key).status, 202);
  EXPECT_EQ(stack_->Api("POST", "/v1/messages", R"({"to":"+989121234567","text":"b"})", key).status, 202);
  ExpectProblem(stack_->Api("POST", "/v1/messages", R"({"to":"+989121234567","text":"c"})", key), 402,
                "insufficient_funds");
  EXPECT_EQ(stack_->Balance(account), 0);
}

TEST_F(ApiErrorsTest, BadJsonIs400) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_->CreateFundedAccount("badjson", 10, 100);
  ExpectProblem(stack_->Api("POST", "/v1/messages", R"({"to":"+98912)", key), 400, "invalid_json");
  ExpectProblem(stack_->Api("POST", "/v1/messages", "[1,2]", key), 400, "invalid_json");
}

TEST_F(ApiErrorsTest, MissingOrBadFieldIs400NamingTheField) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_->CreateFundedAccount("badfield", 10, 100);
  HttpResponse missing = stack_->Api("POST", "/v1/messages", R"({"text":"hi"})", key);
  ExpectProblem(missing, 400, "invalid_argument");
  EXPECT_NE(missing.Json().at("detail").get<std::string>().find("to"), std::string::npos) << missing.body;

  HttpResponse bad_number = stack_->Api("POST", "/v1/messages", R"({"to":"hello","text":"hi"})", key);
  ExpectProblem(bad_number, 400, "invalid_argument");
  EXPECT_NE(bad_number.Json().at("detail").get<std::string>().find("to"), std::string::npos);

  HttpResponse no_text = stack_->Api("POST", "/v1/messages", R"({"to":"+989121234567"})", key);
  ExpectProblem(no_text, 400, "invalid_argument");
  EXPECT_NE(no_text.Json().at("detail").get<std::string>().find("text"), std::string::npos);

  HttpResponse bad_priority =
      stack_->Api("POST", "/v1/messages", R"({"to":"+989121234567","text":"x","priority":"urgent"})", key);
  ExpectProblem(bad_priority, 400, "invalid_argument");
  EXPECT_NE(bad_priority.Json().at("detail").get<std::string>().find("priority"), std::string::npos);

  EXPECT_EQ(stack_->Balance(account), 100);
}

TEST_F(ApiErrorsTest, ANumberBeyondADoubleIs400NotA500) {
  // Review F1: nlohmann's out_of_range for 1e400 used to escape as an exception (HTTP 500).
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_->CreateFundedAccount("overflow", 10, 100);
  for (const char* body : {R"({"to":"+989121234567","text":"hi","validity_s":1e400})", R"({"a":-1e99999})", "[1E+309]"}) {
    ExpectProblem(stack_->Api("POST", "/v1/messages", body, key), 400, "invalid_json");
  }
  EXPECT_EQ(stack_->Balance(account), 100);
}

TEST_F(ApiErrorsTest, SendersTheSmscCannotCarryAre400) {
  // Reviews m6 / F4: these used to get 202 and then fail in the scheduler (or arrive garbled).
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_->CreateFundedAccount("senders", 10, 100);
  for (const char* from : {"+ABC", "ÄÖÜäöüÄÖÜäö", "Café", "TwelveLetter", "Shop€", "1234567890123456"}) {
    HttpResponse r = stack_->Api("POST", "/v1/messages",
                                 nlohmann::json({{"to", "+989121234567"}, {"text", "hi"}, {"from", from}}).dump(), key);
    ExpectProblem(r, 400, "invalid_argument");
    EXPECT_EQ(r.Json().at("detail").get<std::string>().rfind("from: ", 0), 0u) << from << ": " << r.body;
  }
  EXPECT_EQ(stack_->Balance(account), 100);
  for (const char* from : {"Shop-24", "+989121234567", "3000", "A.B&C"}) {
    HttpResponse r = stack_->Api("POST", "/v1/messages",
                                 nlohmann::json({{"to", "+989121234567"}, {"text", "hi"}, {"from", from}}).dump(), key);
    EXPECT_EQ(r.status, 202) << from << ": " << r.body;
  }
}

TEST_F(ApiErrorsTest, UnknownOrMissingKeyIs401) {
  ExpectProblem(stack_->Api("POST", "/v1/messages", R"({"to":"+989121234567","text":"hi"})",
                            "0123456789abcdef.0123456789abcdef0123456789abcdef"),
                401, "unauthenticated");
  ExpectProblem(stack_->Api("POST", "/v1/messages", R"({"to":"+989121234567","text":"hi"})"), 401, "unauthenticated");
  ExpectProblem(stack_->Api("GET", "/v1/balance", "", "garbage"), 401, "unauthenticated");
}

TEST_F(ApiErrorsTest, WrongContentTypeIs415) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_->CreateFundedAccount("ctype", 10, 100);
  ExpectProblem(stack_->Api("POST", "/v1/messages", "to=1", key, {{"Content-Type", "text/plain"}}), 415,
                "unsupported_media_type");
}

TEST_F(ApiErrorsTest, UnknownMessageIs404) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_->CreateFundedAccount("lookup", 10, 100);
  ExpectProblem(stack_->Api("GET", "/v1/messages/0190d6c5-0000-7000-8000-000000000001", "", key), 404, "not_found");
  ExpectProblem(stack_->Api("GET", "/v1/nothing-here", "", key), 404, "not_found");
}

// Callback SSRF (lib/webhook url_policy): a callback_url to a private, loopback or link-local
// address is refused when the message is sent, naming the field, and nothing is charged; the
// same in a batch, item by item.
TEST_F(ApiErrorsTest, APrivateCallbackUrlIs400NamingTheField) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_->CreateFundedAccount("ssrf", 10, 100);
  for (const char* url : {"http://127.0.0.1:6379/", "http://169.254.169.254/latest/meta-data", "http://10.1.2.3/x",
                          "https://localhost/hook", "http://[::1]/x", "http://[::ffff:192.168.1.1]/x"}) {
    const nlohmann::json body = {{"to", "+989121234567"}, {"text", "x"}, {"callback_url", url}};
    HttpResponse r = stack_->Api("POST", "/v1/messages", body.dump(), key);
    ExpectProblem(r, 400, "invalid_argument");
    EXPECT_NE(r.Json().value("detail", "").find("callback_url"), std::string::npos) << url << ": " << r.body;
  }
  EXPECT_EQ(stack_->Balance(account), 100);

  const nlohmann::json batch = {
      {"messages",
       {{{"to", "+989121234567"}, {"text", "a"}, {"callback_url", "http://192.168.0.1/hook"}},
        {{"to", "+989121234567"}, {"text", "b"}, {"callback_url", "https://hooks.example.com/sms"}}}}};
  HttpResponse r = stack_->Api("POST", "/v1/messages/batch", batch.dump(), key);
  ASSERT_EQ(r.status, 200) << r.body;
  const nlohmann::json results = r.Json().at("results");
  ASSERT_EQ(results.size(), 2u) << r.body;
  EXPECT_EQ(results[0].value("status", ""), "refused") << r.body;
  EXPECT_EQ(results[0].at("problem").value("code", ""), "invalid_argument") << r.body;
  EXPECT_NE(results[0].at("problem").value("detail", "").find("callback_url"), std::string::npos) << r.body;
  EXPECT_EQ(results[1].value("status", ""), "accepted") << r.body;
  EXPECT_EQ(stack_->Balance(account), 90);
}

}  // namespace
}  // namespace smsgw::testing
