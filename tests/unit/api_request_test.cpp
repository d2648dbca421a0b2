// smsgw-api: reading a POST /v1/messages body (content type, JSON, each field's rules).
#include <gtest/gtest.h>

#include "api/send_request.h"

namespace smsgw::api {
namespace {

Result<SendRequest> Parse(std::string_view body) {
  Result<nlohmann::json> j = ParseJsonObject(body);
  if (!j.ok()) return j.status();
  return ParseSendRequest(*j);
}

// The error message for `body`, or "ok".
std::string Error(std::string_view body) {
  Result<SendRequest> r = Parse(body);
  if (r.ok()) return "ok";
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << r.status().ToString();
  return r.status().message();
}

TEST(ApiContentTypeTest, AcceptsJsonOnly) {
  EXPECT_TRUE(IsJsonContentType("application/json"));
  EXPECT_TRUE(IsJsonContentType("Application/JSON"));
  EXPECT_TRUE(IsJsonContentType("application/json; charset=utf-8"));
  EXPECT_TRUE(IsJsonContentType("application/json;charset=\"UTF-8\""));
  EXPECT_TRUE(IsJsonContentType("application/merge-patch+json"));
  EXPECT_FALSE(IsJsonContentType(std::nullopt));
  EXPECT_FALSE(IsJsonContentType(""));
  EXPECT_FALSE(IsJsonContentType("text/plain"));
  EXPECT_FALSE(IsJsonContentType("application/x-www-form-urlencoded"));
  EXPECT_FALSE(IsJsonContentType("application/jsonx"));
  EXPECT_FALSE(IsJsonContentType("application/json; charset=latin1"));
}

TEST(ApiJsonTest, BodyMustBeAnObject) {
  EXPECT_FALSE(ParseJsonObject("").ok());
  EXPECT_FALSE(ParseJsonObject("{\"to\":").ok());
  EXPECT_FALSE(ParseJsonObject("\xff").ok());
  Result<nlohmann::json> arr = ParseJsonObject("[1,2]");
  ASSERT_FALSE(arr.ok());
  EXPECT_EQ(arr.status().message(), "body: must be a JSON object");
  Result<nlohmann::json> bad = ParseJsonObject("{\"to\": 1,}");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("body: parse error", 0), 0u) << bad.status().message();
  EXPECT_TRUE(ParseJsonObject("{}").ok());
}

TEST(ApiSendRequestTest, MinimalAndFull) {
  Result<SendRequest> r = Parse(R"({"to":"+989121234567","text":"salam"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->to, "+989121234567");
  EXPECT_EQ(r->text, "salam");
  EXPECT_EQ(r->priority, v1::PRIORITY_NORMAL);
  EXPECT_EQ(r->validity_s, 0);
  EXPECT_TRUE(r->from.empty());

  r = Parse(R"({"to":"09121234567","text":"hi","from":"Shop","priority":"express",
               "client_ref":"order-7","validity_s":600,"callback_url":"https://example.com/cb"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->priority, v1::PRIORITY_EXPRESS);
  EXPECT_EQ(r->from, "Shop");
  EXPECT_EQ(r->client_ref, "order-7");
  EXPECT_EQ(r->validity_s, 600);
  EXPECT_EQ(r->callback_url, "https://example.com/cb");
}

TEST(ApiSendRequestTest, NullOptionalFieldsAreAbsent) {
  Result<SendRequest> r =
      Parse(R"({"to":"+1","text":"x","from":null,"priority":null,"client_ref":null,"validity_s":null})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->priority, v1::PRIORITY_NORMAL);
}

TEST(ApiSendRequestTest, RequiredFieldsAreNamed) {
  EXPECT_EQ(Error(R"({"text":"x"})"), "to: required");
  EXPECT_EQ(Error(R"({"to":"","text":"x"})"), "to: required");
  EXPECT_EQ(Error(R"({"to":null,"text":"x"})"), "to: required");
  EXPECT_EQ(Error(R"({"to":"+1"})"), "text: required");
  EXPECT_EQ(Error(R"({"to":"+1","text":""})"), "text: required");
}

TEST(ApiSendRequestTest, WrongTypesAreNamed) {
  EXPECT_EQ(Error(R"({"to":989121234567,"text":"x"})"), "to: must be a string");
  EXPECT_EQ(Error(R"({"to":"+1","text":["x"]})"), "text: must be a string");
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","from":5})"), "from: must be a string");
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","client_ref":{}})"), "client_ref: must be a string");
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","callback_url":true})"), "callback_url: must be a string");
}

TEST(ApiSendRequestTest, PriorityIsNormalOrExpress) {
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","priority":"urgent"})"), "priority: must be normal or express");
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","priority":"Express"})"), "priority: must be normal or express");
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","priority":1})"), "priority: must be normal or express");
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","priority":""})"), "priority: must be normal or express");
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","priority":"normal"})"), "ok");
}

TEST(ApiSendRequestTest, ClientRefAtMost64Bytes) {
  const std::string ok64(64, 'a');
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","client_ref":")" + ok64 + "\"}"), "ok");
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","client_ref":")" + ok64 + "b\"}"), "client_ref: must be at most 64 bytes");
}

TEST(ApiSendRequestTest, ValidityIsAPositiveInteger) {
  const std::string want = "validity_s: must be an integer from 1 to 31536000";
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","validity_s":0})"), want);
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","validity_s":-5})"), want);
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","validity_s":1.5})"), want);
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","validity_s":"60"})"), want);
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","validity_s":18446744073709551615})"), want);
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","validity_s":31536001})"), want);
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","validity_s":1})"), "ok");
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","validity_s":31536000})"), "ok");
}

TEST(ApiSendRequestTest, CallbackUrlMustBeHttp) {
  const std::string want = "callback_url: must be an http:// or https:// URL of at most 2048 bytes";
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","callback_url":"ftp://x"})"), want);
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","callback_url":"https://"})"), want);
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","callback_url":"https://a b"})"), want);
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","callback_url":"http://h/)" + std::string(2100, 'p') + "\"}"), want);
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","callback_url":"http://hooks.example:8080/a?b=c"})"), "ok");
}

TEST(ApiSendRequestTest, UnknownFieldsAreNamedFirst) {
  EXPECT_EQ(Error(R"({"to":"+1","txt":"x"})"), "txt: unknown field");
  EXPECT_EQ(Error(R"({"to":"+1","text":"x","prio":"express"})"), "prio: unknown field");
}

}  // namespace
}  // namespace smsgw::api
