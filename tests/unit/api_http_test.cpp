// smsgw-api: problem+json mapping, routing, the JSON views and the App's edge behaviour
// (404/405/413/401, X-Request-ID) -- no servers: the routes tested never reach Redis or gRPC.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/app.h"
#include "api/problem.h"
#include "api/router.h"
#include "api/views.h"

namespace smsgw::api {
namespace {

nlohmann::json Body(const HttpResponse& r) { return nlohmann::json::parse(r.body); }

TEST(ApiProblemTest, TableMapsEveryErrorCode) {
  struct Case {
    ErrorCode code;
    int status;
    const char* name;
  };
  const Case cases[] = {
      {ErrorCode::kInvalidArgument, 400, "invalid_argument"},
      {ErrorCode::kUnauthenticated, 401, "unauthenticated"},
      {ErrorCode::kInsufficientFunds, 402, "insufficient_funds"},
      {ErrorCode::kPermissionDenied, 403, "account_disabled"},
      {ErrorCode::kNotFound, 404, "not_found"},
      {ErrorCode::kConflict, 409, "conflict"},
      {ErrorCode::kUnavailable, 503, "unavailable"},
      {ErrorCode::kInternal, 500, "internal"},
      {ErrorCode::kOk, 500, "internal"},
  };
  for (const Case& c : cases) {
    ProblemKind k = KindFor(c.code);
    EXPECT_EQ(k.http_status, c.status) << c.name;
    EXPECT_EQ(k.code, c.name);
    EXPECT_FALSE(k.title.empty());
  }
}

TEST(ApiProblemTest, BodyIsRfc9457WithStableCode) {
  HttpResponse r = ProblemResponse(Status::InvalidArgument("to: required"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Get("Content-Type"), "application/problem+json");
  nlohmann::json b = Body(r);
  EXPECT_EQ(b["type"], "urn:smsgw:problem:invalid_argument");
  EXPECT_EQ(b["status"], 400);
  EXPECT_EQ(b["code"], "invalid_argument");
  EXPECT_EQ(b["detail"], "to: required");
  EXPECT_TRUE(b["title"].is_string());
  EXPECT_FALSE(r.Get("Retry-After"));
}

TEST(ApiProblemTest, UnavailableHasRetryAfterAndHidesCause) {
  HttpResponse r = ProblemResponse(Status::Unavailable("redis 10.0.0.5:6379: Connection refused"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.Get("Retry-After"), "1");
  EXPECT_EQ(Body(r)["detail"].get<std::string>().find("10.0.0.5"), std::string::npos);
  EXPECT_NE(r.log_detail.find("10.0.0.5"), std::string::npos);
}

TEST(ApiProblemTest, InternalHidesCause) {
  HttpResponse r = ProblemResponse(Status::Internal("redis HMGET: WRONGTYPE"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(Body(r)["code"], "internal");
  EXPECT_EQ(Body(r)["detail"].get<std::string>().find("WRONGTYPE"), std::string::npos);
  EXPECT_NE(r.log_detail.find("WRONGTYPE"), std::string::npos);
}

TEST(ApiProblemTest, UnauthenticatedAsksForBearer) {
  HttpResponse r = ProblemResponse(Status::Unauthenticated("unknown API key"));
  EXPECT_EQ(r.status, 401);
  ASSERT_TRUE(r.Get("WWW-Authenticate"));
  EXPECT_EQ(r.Get("WWW-Authenticate")->rfind("Bearer", 0), 0u);
}

TEST(ApiProblemTest, DependencyFailedIs503WhateverTheCause) {
  HttpResponse r = DependencyFailed(Status::Internal("report GetMessage: boom"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Body(r)["code"], "unavailable");
}

TEST(ApiRouterTest, FindsRoutesParamsAnd405) {
  Router router;
  const size_t send = router.Add("POST", "/v1/messages");
  const size_t get = router.Add("GET", "/v1/messages/{id}");
  router.Add("GET", "/v1/balance");

  RouteMatch m = router.Find("POST", "/v1/messages");
  EXPECT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.index, send);

  m = router.Find("GET", "/v1/messages/abc");
  EXPECT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.index, get);
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0], "abc");

  m = router.Find("DELETE", "/v1/messages");
  EXPECT_EQ(m.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "POST");

  EXPECT_EQ(router.Find("GET", "/v1/messages/").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(router.Find("GET", "/v1/messages/a/b").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(router.Find("GET", "/v1/balance/").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(router.Find("GET", "/").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(router.Find("GET", "").kind, RouteMatch::Kind::kNotFound);
}

TEST(ApiRouterTest, AllowListsEveryMethodOfThePath) {
  Router router;
  router.Add("GET", "/x");
  router.Add("PUT", "/x");
  RouteMatch m = router.Find("POST", "/x");
  EXPECT_EQ(m.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, PUT");
}

TEST(ApiViewsTest, FormatsRfc3339Milliseconds) {
  EXPECT_EQ(FormatRfc3339Ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Ms(1714566896789), "2024-05-01T12:34:56.789Z");
  EXPECT_EQ(FormatRfc3339Ms(951782400005), "2000-02-29T00:00:00.005Z");
}

TEST(ApiViewsTest, MessageJsonHasNullsForMissingTimes) {
  v1::MessageRecord r;
  r.set_id("0190a6a8-5b7e-7c3d-8a1b-2c3d4e5f6a7b");
  r.set_to("+989121234567");
  r.set_status(v1::STATUS_DELIVERED);
  r.set_encoding(v1::ENCODING_UCS2);
  r.set_segments(2);
  r.set_cost(20);
  r.set_priority(v1::PRIORITY_EXPRESS);
  r.set_accepted_at_ms(1714566896789);
  nlohmann::json j = MessageJson(r);
  EXPECT_EQ(j["status"], "delivered");
  EXPECT_EQ(j["encoding"], "ucs2");
  EXPECT_EQ(j["priority"], "express");
  EXPECT_EQ(j["accepted_at"], "2024-05-01T12:34:56.789Z");
  EXPECT_TRUE(j["submitted_at"].is_null());
  EXPECT_TRUE(j["done_at"].is_null());
  EXPECT_TRUE(j["client_ref"].is_null());
  EXPECT_TRUE(j["from"].is_null());
  EXPECT_FALSE(j.contains("error"));
  r.set_error("stat:UNDELIV err:001");
  EXPECT_EQ(MessageJson(r)["error"], "stat:UNDELIV err:001");
}

TEST(ApiViewsTest, StatusNamesAreLowercase) {
  EXPECT_EQ(StatusName(v1::STATUS_ACCEPTED), "accepted");
  EXPECT_EQ(StatusName(v1::STATUS_SUBMITTED), "submitted");
  EXPECT_EQ(StatusName(v1::STATUS_UNDELIVERED), "undelivered");
  EXPECT_EQ(StatusName(v1::STATUS_FAILED), "failed");
  EXPECT_EQ(StatusName(v1::STATUS_EXPIRED), "expired");
  EXPECT_EQ(StatusName(v1::STATUS_CANCELED), "canceled");
}

TEST(ApiViewsTest, AcceptedJsonOmitsEmptyClientRef) {
  v1::Envelope e;
  e.set_id("id1");
  e.set_to("+989121234567");
  e.set_segments(1);
  e.set_cost(7);
  nlohmann::json j = AcceptedJson(e);
  EXPECT_EQ(j["status"], "accepted");
  EXPECT_EQ(j["encoding"], "gsm7");
  EXPECT_EQ(j["priority"], "normal");
  EXPECT_EQ(j["cost"], 7);
  EXPECT_FALSE(j.contains("client_ref"));
  e.set_client_ref("r-1");
  EXPECT_EQ(AcceptedJson(e)["client_ref"], "r-1");
}

// An App whose dependencies are never reached by the requests below: the pool is empty (an
// Acquire would block), the clients are absent.
class ApiAppTest : public ::testing::Test {
 protected:
  ApiAppTest() : auth_(pool_, 1000), app_(MakeDeps()) {}

  ApiDeps MakeDeps() {
    ApiDeps d;
    config_.max_body_bytes = 100;
    d.config = &config_;
    d.pool = &pool_;
    d.auth = &auth_;
    d.offload = [](std::function<void()> task) { task(); };
    return d;
  }

  // Every request below is answered before Handle returns (nothing is offloaded or batched).
  HttpResponse Handle(HttpRequest request) {
    std::optional<HttpResponse> answer;
    int answers = 0;
    app_.Handle(std::move(request), [&](HttpResponse r) {
      ++answers;
      answer = std::move(r);
    });
    EXPECT_EQ(answers, 1);
    return answer.value_or(HttpResponse{});
  }

  static HttpRequest Request(std::string method, std::string target) {
    HttpRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    return r;
  }

  config::ApiConfig config_;
  redis::Pool pool_;
  Authenticator auth_;
  App app_;
};

TEST_F(ApiAppTest, HealthzNeedsNoKey) {
  HttpResponse r = Handle(Request("GET", "/healthz"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Body(r)["status"], "ok");
  EXPECT_EQ(r.Get("Content-Type"), "application/json");
}

TEST_F(ApiAppTest, UnknownPathIs404Problem) {
  HttpResponse r = Handle(Request("GET", "/v2/nothing?x=1"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Body(r)["code"], "not_found");
}

TEST_F(ApiAppTest, WrongMethodIs405WithAllow) {
  HttpResponse r = Handle(Request("DELETE", "/v1/messages"));  // POST sends, GET lists
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Get("Allow"), "POST, GET");
  EXPECT_EQ(Body(r)["code"], "method_not_allowed");
  r = Handle(Request("DELETE", "/v1/balance"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Get("Allow"), "GET");
}

TEST_F(ApiAppTest, MissingOrMalformedKeyIs401) {
  HttpResponse r = Handle(Request("GET", "/v1/balance"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Body(r)["code"], "unauthenticated");
  HttpRequest basic = Request("POST", "/v1/messages");
  basic.headers.push_back({"authorization", "Basic dXNlcjpwYXNz"});
  EXPECT_EQ(Handle(basic).status, 401);
}

TEST_F(ApiAppTest, OversizeBodyIs413) {
  HttpRequest req = Request("POST", "/v1/messages");
  req.defect = HttpRequest::Defect::kBodyTooLarge;
  HttpResponse r = Handle(req);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(Body(r)["code"], "payload_too_large");
  EXPECT_NE(Body(r)["detail"].get<std::string>().find("100"), std::string::npos);
}

TEST_F(ApiAppTest, OversizeHeaderIs431) {
  HttpRequest req = Request("GET", "/v1/balance");
  req.defect = HttpRequest::Defect::kHeaderTooLarge;
  HttpResponse r = Handle(req);
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(Body(r)["code"], "headers_too_large");
}

TEST_F(ApiAppTest, KannelRoutesAnswerInKannelsForm) {
  HttpResponse r = Handle(Request("GET", "/cgi-bin/sendsms?to=989121234567&text=hi"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, "Authorization failed for sendsms");
  EXPECT_EQ(r.Get("Content-Type"), "text/html");
  HttpRequest xml = Request("POST", "/cgi-bin/sendsms");
  xml.headers.push_back({"Content-Type", "text/xml"});
  xml.body = "<message/>";
  EXPECT_EQ(Handle(xml).body, "Invalid content-type");
}

TEST_F(ApiAppTest, LiteralRoutesBeatParameters) {
  Router router;
  router.Add("GET", "/v1/messages/{id}");
  router.Add("GET", "/v1/messages/export");
  RouteMatch m = router.Find("GET", "/v1/messages/export");
  EXPECT_EQ(m.index, 1u);
  EXPECT_TRUE(m.params.empty());
  EXPECT_EQ(router.Find("GET", "/v1/messages/abc").index, 0u);
}

TEST_F(ApiAppTest, RequestIdIsEchoedOrMade) {
  HttpRequest req = Request("GET", "/healthz");
  req.headers.push_back({"x-request-id", "abc-123"});
  EXPECT_EQ(Handle(req).Get("X-Request-ID"), "abc-123");
  auto made = Handle(Request("GET", "/nope")).Get("X-Request-ID");
  ASSERT_TRUE(made);
  EXPECT_EQ(made->size(), 36u);
}

TEST(ApiRequestIdTest, InsaneIdsAreReplaced) {
  EXPECT_EQ(RequestIdFor("r1"), "r1");
  EXPECT_NE(RequestIdFor("has space"), "has space");
  EXPECT_NE(RequestIdFor(std::string(200, 'a')), std::string(200, 'a'));
  EXPECT_EQ(RequestIdFor(std::nullopt).size(), 36u);
}

}  // namespace
}  // namespace smsgw::api
