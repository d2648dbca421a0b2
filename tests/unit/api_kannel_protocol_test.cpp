// smsgw-api: reading Kannel's sendsms requests and writing its answers, as Kannel 1.4 does.
#include <gtest/gtest.h>

#include "api/kannel_protocol.h"

namespace smsgw::api {
namespace {

HttpRequest Get(const std::string& query) {
  HttpRequest r;
  r.method = "GET";
  r.target = "/cgi-bin/sendsms?" + query;
  return r;
}

Result<KannelSend> Parse(const std::string& query) {
  Result<KannelParams> p = ReadKannelParams(Get(query));
  if (!p.ok()) return p.status();
  return ParseKannelSend(*p, {"sim", "backup"});
}

std::string Refusal(const std::string& query) {
  Result<KannelSend> s = Parse(query);
  return s.ok() ? "accepted" : s.status().message();
}

TEST(ApiKannelProtocolTest, ParametersComeFromTheQueryAFormOrKannelsHeaders) {
  Result<KannelParams> get = ReadKannelParams(Get("username=id&password=se%2Fcret&to=%2B98912+0912&text=Hello+world%21"));
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(KannelApiKey(*get), "id.se/cret");
  EXPECT_EQ(get->Get("text"), "Hello world!");
  EXPECT_EQ(get->Get("to"), "+98912 0912");
  EXPECT_EQ(KannelApiKey(*ReadKannelParams(Get("user=a&pass=b"))), "a.b");
  EXPECT_FALSE(KannelApiKey(*ReadKannelParams(Get("username=a"))));
  EXPECT_FALSE(KannelApiKey(*ReadKannelParams(Get("username=a&password="))));

  HttpRequest form;
  form.method = "POST";
  form.target = "/cgi-bin/sendsms";
  form.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  form.body = "username=a&password=b&to=1&text=x%20y";
  EXPECT_EQ(ReadKannelParams(form)->Get("text"), "x y");

  HttpRequest plain;
  plain.method = "POST";
  plain.target = "/cgi-bin/sendsms";
  plain.headers = {{"Content-Type", "text/plain; charset=ISO-8859-1"},
                   {"X-Kannel-Username", " a "},
                   {"X-Kannel-Password", "b"},
                   {"X-Kannel-To", "989121234567"},
                   {"X-Kannel-DLR-Mask", "3"}};
  plain.body = "caf\xE9";
  Result<KannelParams> p = ReadKannelParams(plain);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(KannelApiKey(*p), "a.b");
  Result<KannelSend> s = ParseKannelSend(*p, {});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->message.text, "caf\xC3\xA9");  // Latin-1 in, UTF-8 out
  EXPECT_EQ(s->message.dlr_mask, 3);

  HttpRequest xml = plain;
  xml.headers = {{"Content-Type", "text/xml"}};
  EXPECT_EQ(ReadKannelParams(xml).status().message(), "Invalid content-type");
}

TEST(ApiKannelProtocolTest, FieldsAreReadAsKannelReadsThem) {
  Result<KannelSend> s = Parse("to=989121234567++0912+&text=hi&from=Shop&validity=10&dlr-mask=31&dlr-url=http%3A%2F%2Fh%2F%25d&smsc=sim");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->to, (std::vector<std::string>{"989121234567", "0912"}));
  EXPECT_EQ(s->message.from, "Shop");
  EXPECT_EQ(s->message.validity_s, 600);
  EXPECT_EQ(s->message.dlr_mask, 31);
  EXPECT_EQ(s->message.dlr_url, "http://h/%d");
  EXPECT_FALSE(s->coding);
  EXPECT_EQ(Parse("to=1&text=x&dlrmask=2&dlrurl=https%3A%2F%2Fh")->message.dlr_mask, 2);  // old names
  EXPECT_EQ(Parse("to=1&text=x&validity=-1&dlr-mask=-1")->message.validity_s, 0);      // -1: not given

  Result<KannelSend> ucs2 = Parse("to=1&coding=2&text=%00h%00i");  // UTF-16BE by default
  ASSERT_TRUE(ucs2.ok()) << ucs2.status().message();
  EXPECT_EQ(ucs2->message.text, "hi");
  EXPECT_EQ(ucs2->coding, sms::Encoding::kUcs2);
  EXPECT_EQ(Parse("to=1&coding=0&text=hi")->coding, sms::Encoding::kGsm7);
}

TEST(ApiKannelProtocolTest, RefusalsCarryKannelsTexts) {
  EXPECT_EQ(Refusal("text=x"), "Missing receiver number, rejected");
  EXPECT_EQ(Refusal("to=&text=x"), "Empty receiver number not allowed, rejected");
  EXPECT_EQ(Refusal("to=+++&text=x"), "Empty receiver number not allowed, rejected");
  EXPECT_EQ(Refusal("to=1&text=x&dlr-mask=64"), "DLR-Mask field misformed, rejected");
  EXPECT_EQ(Refusal("to=1&text=x&dlr-mask=1x"), "DLR-Mask field misformed, rejected");
  EXPECT_EQ(Refusal("to=1&text=x&dlr-url=mailto%3Ax"), "DLR-URL field misformed, rejected");
  EXPECT_EQ(Refusal("to=1&text=x&coding=3"), "Coding field misformed, rejected");
  EXPECT_EQ(Refusal("to=1&text=x&coding=1"), "Coding 1 (8 bits) not supported, rejected");
  EXPECT_EQ(Refusal("to=1&text=x&validity=0"), "Validity field misformed, rejected");
  EXPECT_EQ(Refusal("to=1&text=%FF"), "Charset or body misformed, rejected");
  EXPECT_EQ(Refusal("to=1&text=x&charset=NO-SUCH-CHARSET"), "Charset or body misformed, rejected");
  EXPECT_EQ(Refusal("to=1&text=x&udh=%05"), "UDH field not supported, rejected");
  EXPECT_EQ(Refusal("to=1&text=x&smsc=elsewhere"), "Unknown smsc, rejected");
  std::string many = "to=";
  for (int i = 0; i < 1001; ++i) many += "1+";
  EXPECT_NE(Refusal(many + "&text=x").find("Too many receivers"), std::string::npos);
}

TEST(ApiKannelProtocolTest, AnswersAreKannels) {
  HttpResponse ok = KannelReply(202, kKannelAccepted);
  EXPECT_EQ(ok.status, 202);
  EXPECT_EQ(ok.body, "0: Accepted for delivery");
  EXPECT_EQ(ok.Get("Content-Type"), "text/html");
  EXPECT_EQ(KannelProblem(KindFor(ErrorCode::kUnauthenticated), "x").body, "Authorization failed for sendsms");
  EXPECT_EQ(KannelProblem(KindFor(ErrorCode::kUnauthenticated), "x").status, 403);
  EXPECT_EQ(KannelProblem(KindFor(ErrorCode::kPermissionDenied), "x").status, 403);
  HttpResponse later = KannelProblem(KindFor(ErrorCode::kUnavailable), "x");
  EXPECT_EQ(later.status, 503);
  EXPECT_EQ(later.body, "Temporal failure, try again later.");
  EXPECT_EQ(later.Get("Retry-After"), "1");
  EXPECT_EQ(KannelProblem(KindFor(ErrorCode::kInternal), "secret detail").body, "Sending failed.");
  EXPECT_EQ(KannelProblem(KindFor(ErrorCode::kInvalidArgument), "from: too long").body, "from: too long");
}

}  // namespace
}  // namespace smsgw::api
