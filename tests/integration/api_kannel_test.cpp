// Kannel's /cgi-bin/sendsms, driven with the URLs its user guide shows (username = key id,
// password = key secret), answered as Kannel answers: 202 "0: Accepted for delivery", 403
// "Authorization failed for sendsms", 400 with Kannel's texts. dlr-url and dlr-mask travel with
// the accepted event for smsgw-report to call.
#include <gtest/gtest.h>
#include <tuple>

#include "keys/keys.h"
#include "proto/smsgw.pb.h"
#include "stack.h"

namespace smsgw::testing {
namespace {

class ApiKannelTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Stack::Options options;
    options.sched = false;  // messages stay queued, so the tests can read what was queued
    options.report = false;  // and the accepted events stay in ev:report
    options.api_toml = "report_grace_ms = 600000\n";
    stack_ = new Stack(options);
    // The ledger sets it after its warm-up (contract 3); without it an unknown key is 503.
    (void)stack_->redis().Run({"SET", keys::kLedgerReady, "1"});
    int64_t account = 0;
    std::string key;
    std::tie(account, key) = stack_->CreateFundedAccount("kannel", 10, 100000);
    account_ = account;
    const size_t dot = key.find('.');
    user_ = key.substr(0, dot);
    pass_ = key.substr(dot + 1);
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }

  static HttpResponse Get(const std::string& query) { return stack_->Api("GET", "/cgi-bin/sendsms?" + query); }
  static std::string Auth() { return "username=" + user_ + "&password=" + pass_; }

  // The accepted events queued since `from` (an ev:report entry id), decoded.
  static std::vector<v1::StatusEvent> EventsAfter(const std::string& from) {
    std::vector<v1::StatusEvent> out;
    Result<redis::Reply> r = stack_->redis().Run({"XRANGE", keys::kReportEvents, "(" + from, "+"});
    if (!r.ok()) return out;
    for (const redis::Reply& entry : r->elements) {
      v1::StatusEvent ev;
      ev.ParseFromString(entry.elements.at(1).elements.at(1).str);
      out.push_back(ev);
    }
    return out;
  }
  static std::string LastEventId() {
    Result<redis::Reply> r = stack_->redis().Run({"XREVRANGE", keys::kReportEvents, "+", "-", "COUNT", "1"});
    return r.ok() && !r->elements.empty() ? r->elements[0].elements[0].str : "0-0";
  }

  static Stack* stack_;
  static int64_t account_;
  static std::string user_, pass_;
};
Stack* ApiKannelTest::stack_ = nullptr;
int64_t ApiKannelTest::account_ = 0;
std::string ApiKannelTest::user_, ApiKannelTest::pass_;

TEST_F(ApiKannelTest, TheUserGuidesUrlSendsAndAnswersAsKannelDoes) {
  const std::string before = LastEventId();
  // "http://smsbox.host.name:13013/cgi-bin/sendsms?username=foo&password=bar&to=0123456&text=Hello+world"
  HttpResponse r = Get(Auth() + "&to=09121234567&text=Hello+world");
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.body, "0: Accepted for delivery");
  EXPECT_EQ(r.Header("content-type"), "text/html");
  std::vector<v1::StatusEvent> events = EventsAfter(before);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].to(), "+989121234567");
  EXPECT_EQ(events[0].account_id(), account_);
  EXPECT_EQ(events[0].encoding(), v1::ENCODING_GSM7);

  // `user` and `pass` are Kannel's aliases; several receivers are separated by '+' (a space).
  HttpResponse many = Get("user=" + user_ + "&pass=" + pass_ + "&to=%2B989121234567+989121234568+00989121234569&text=hi");
  EXPECT_EQ(many.status, 202) << many.body;
  EXPECT_EQ(many.body, "0: Accepted for delivery");
}

TEST_F(ApiKannelTest, DlrUrlAndMaskGoWithTheAcceptedEvent) {
  const std::string before = LastEventId();
  // The user guide's example: dlr-mask=7 and dlr-url=http://www.xyz.com/cgi/dlr.php?myId=123456&type=%d
  HttpResponse r = Get(Auth() + "&to=989121234567&text=report+me&dlr-mask=7"
                                "&dlr-url=http%3A%2F%2Fwww.xyz.com%2Fcgi%2Fdlr.php%3FmyId%3D123456%26type%3D%25d");
  ASSERT_EQ(r.status, 202) << r.body;
  std::vector<v1::StatusEvent> events = EventsAfter(before);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].dlr_mask(), 7);
  EXPECT_EQ(events[0].dlr_url(), "http://www.xyz.com/cgi/dlr.php?myId=123456&type=%d");
}

TEST_F(ApiKannelTest, RefusalsUseKannelsStatusesAndTexts) {
  auto expect = [](const HttpResponse& r, int status, const std::string& body) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.body, body);
    EXPECT_EQ(r.Header("content-type"), "text/html");
  };
  expect(Get("username=" + user_ + "&password=wrong&to=989121234567&text=x"), 403, "Authorization failed for sendsms");
  expect(Get("to=989121234567&text=x"), 403, "Authorization failed for sendsms");
  expect(Get(Auth() + "&text=x"), 400, "Missing receiver number, rejected");
  expect(Get(Auth() + "&to=&text=x"), 400, "Empty receiver number not allowed, rejected");
  expect(Get(Auth() + "&to=hello&text=x"), 400, "Number(s) has/have been denied by white- and/or black-lists.");
  expect(Get(Auth() + "&to=989121234567&text=x&dlr-mask=99"), 400, "DLR-Mask field misformed, rejected");
  expect(Get(Auth() + "&to=989121234567&text=x&dlr-mask=1&dlr-url=ftp%3A%2F%2Fx"), 400,
         "DLR-URL field misformed, rejected");
  // A dlr-url to the gateway's own network is refused when the message is sent (SSRF).
  expect(Get(Auth() + "&to=989121234567&text=x&dlr-mask=1&dlr-url=http%3A%2F%2F169.254.169.254%2Flatest"), 400,
         "DLR-URL target not allowed, rejected");
  expect(Get(Auth() + "&to=989121234567&text=x&coding=5"), 400, "Coding field misformed, rejected");
  expect(Get(Auth() + "&to=989121234567&text=x&validity=abc"), 400, "Validity field misformed, rejected");
  expect(Get(Auth() + "&to=989121234567&text=%FF&charset=UTF-8"), 400, "Charset or body misformed, rejected");
  expect(Get(Auth() + "&to=989121234567&text=x&smsc=nowhere"), 400, "Unknown smsc, rejected");
  expect(Get(Auth() + "&to=989121234567&text=x&udh=%06%05%04%0B%84%23%F0"), 400, "UDH field not supported, rejected");

  int64_t poor = 0;
  std::string poor_key;
  std::tie(poor, poor_key) = stack_->CreateFundedAccount("kannel-poor", 10, 5);
  const size_t dot = poor_key.find('.');
  expect(Get("username=" + poor_key.substr(0, dot) + "&password=" + poor_key.substr(dot + 1) + "&to=989121234567&text=x"),
         402, "Insufficient funds, rejected");
}

TEST_F(ApiKannelTest, CodingAndCharsetAreKannels) {
  const std::string before = LastEventId();
  // coding=2 with the default charset: the text is UTF-16BE ("سلام").
  HttpResponse ucs2 = Get(Auth() + "&to=989121234567&coding=2&text=%06%33%06%44%06%27%06%45");
  EXPECT_EQ(ucs2.status, 202) << ucs2.body;
  // coding=0 with a Latin-1 text: converted, and GSM-7 ("é" is in the GSM alphabet).
  HttpResponse latin1 = Get(Auth() + "&to=989121234567&coding=0&charset=ISO-8859-1&text=caf%E9");
  EXPECT_EQ(latin1.status, 202) << latin1.body;
  // coding=2 forces UCS-2 even for text GSM-7 could carry.
  HttpResponse forced = Get(Auth() + "&to=989121234567&coding=2&charset=UTF-8&text=plain");
  EXPECT_EQ(forced.status, 202) << forced.body;
  std::vector<v1::StatusEvent> events = EventsAfter(before);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].encoding(), v1::ENCODING_UCS2);
  EXPECT_EQ(events[1].encoding(), v1::ENCODING_GSM7);
  EXPECT_EQ(events[2].encoding(), v1::ENCODING_UCS2);
  // coding=0 cannot carry Persian.
  HttpResponse refused = Get(Auth() + "&to=989121234567&coding=0&text=%D8%B3%D9%84%D8%A7%D9%85");
  EXPECT_EQ(refused.status, 400) << refused.body;
}

TEST_F(ApiKannelTest, PostTakesAFormOrKannelsHeaders) {
  const std::string before = LastEventId();
  HttpResponse form = stack_->Api("POST", "/cgi-bin/sendsms", Auth() + "&to=989121234567&text=form+post", "",
                                  {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(form.status, 202) << form.body;
  HttpResponse plain = stack_->Api("POST", "/cgi-bin/sendsms", "text as the body", "",
                                   {{"Content-Type", "text/plain"},
                                    {"X-Kannel-Username", user_},
                                    {"X-Kannel-Password", pass_},
                                    {"X-Kannel-To", "989121234567"},
                                    {"X-Kannel-From", "Shop"}});
  EXPECT_EQ(plain.status, 202) << plain.body;
  EXPECT_EQ(plain.body, "0: Accepted for delivery");
  std::vector<v1::StatusEvent> events = EventsAfter(before);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].from(), "Shop");
  HttpResponse xml = stack_->Api("POST", "/cgi-bin/sendsms", "<message/>", "", {{"Content-Type", "text/xml"}});
  EXPECT_EQ(xml.status, 400);
  EXPECT_EQ(xml.body, "Invalid content-type");
}

}  // namespace
}  // namespace smsgw::testing
