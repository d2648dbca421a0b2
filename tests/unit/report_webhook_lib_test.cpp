// lib/webhook: where callbacks may go, how they are signed, Kannel's dlr-url escapes.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include "webhook/kannel_dlr.h"
#include "webhook/signature.h"
#include "webhook/url_policy.h"

namespace smsgw::webhook {
namespace {

TEST(WebhookUrlPolicy, AcceptsPublicHttpAndHttps) {
  for (const char* url : {"https://hooks.example.com/sms", "http://hooks.example.com:8080/a?b=c",
                          "https://93.184.216.34/cb", "https://[2606:2800:220:1::248]/cb"}) {
    EXPECT_TRUE(CheckCallbackUrl(url, false).ok()) << url << ": " << CheckCallbackUrl(url, false).message();
  }
}

TEST(WebhookUrlPolicy, RefusesOtherSchemesCredentialsAndJunk) {
  for (const char* url : {"ftp://example.com/", "file:///etc/passwd", "gopher://example.com/", "example.com/cb",
                          "https://user:pw@example.com/", "https://user@example.com/", "https://exa mple.com/",
                          "https:///path", ""}) {
    Status s = CheckCallbackUrl(url, true);
    EXPECT_FALSE(s.ok()) << url;
    EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << url;
  }
  EXPECT_FALSE(CheckCallbackUrl("https://example.com/" + std::string(kMaxUrlBytes, 'a'), true).ok());
}

TEST(WebhookUrlPolicy, RefusesPrivateTargetsUnlessAllowed) {
  for (const char* url : {"http://127.0.0.1:8080/", "http://localhost/", "http://LOCALHOST./x",
                          "http://api.localhost/", "http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.1/",
                          "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/", "http://0.0.0.0/",
                          "http://[::1]/", "http://[fe80::1]/", "http://[fd00::1]/", "http://[::ffff:127.0.0.1]/",
                          "http://2130706433/", "http://127.1/", "http://0x7f000001/", "http://224.0.0.1/"}) {
    EXPECT_FALSE(CheckCallbackUrl(url, false).ok()) << url;
    EXPECT_TRUE(CheckCallbackUrl(url, true).ok()) << url << ": " << CheckCallbackUrl(url, true).message();
  }
}

TEST(WebhookUrlPolicy, ClassifiesResolvedAddresses) {
  auto v4 = [](const char* text) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    inet_pton(AF_INET, text, &a.sin_addr);
    return IsPrivateAddress(reinterpret_cast<const sockaddr*>(&a));
  };
  auto v6 = [](const char* text) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    inet_pton(AF_INET6, text, &a.sin6_addr);
    return IsPrivateAddress(reinterpret_cast<const sockaddr*>(&a));
  };
  EXPECT_TRUE(v4("127.0.0.1"));
  EXPECT_TRUE(v4("10.0.0.1"));
  EXPECT_TRUE(v4("172.31.255.255"));
  EXPECT_FALSE(v4("172.32.0.1"));
  EXPECT_TRUE(v4("169.254.169.254"));
  EXPECT_FALSE(v4("8.8.8.8"));
  EXPECT_TRUE(v6("::1"));
  EXPECT_TRUE(v6("::"));
  EXPECT_TRUE(v6("fc00::1"));
  EXPECT_TRUE(v6("64:ff9b::a00:1"));  // NAT64 of 10.0.0.1
  EXPECT_FALSE(v6("64:ff9b::808:808"));
  EXPECT_FALSE(v6("2001:4860:4860::8888"));
}

// RFC 4231 test case 2, and the header's shape on a known body.
TEST(WebhookSignature, IsHmacSha256OfTimestampDotBody) {
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(Signature("Jefe", 1700000000, "{\"a\":1}"),
            "t=1700000000,v1=" + HmacSha256Hex("Jefe", "1700000000.{\"a\":1}"));
  EXPECT_NE(Signature("Jefe", 1700000000, "{\"a\":1}"), Signature("Jefe", 1700000001, "{\"a\":1}"));
}

TEST(KannelDlrUrl, SubstitutesEscapesAsKannelDoes) {
  DlrFields f;
  f.type = 1;
  f.reply = "stat:DELIVRD err:000";
  f.from = "0098912";
  f.to = "+989121234567";
  f.smsc = "sim";
  f.message_id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
  f.at_s = 1700000000;  // 2023-11-14 22:13:20 UTC
  EXPECT_EQ(ExpandDlrUrl("http://h/dlr?type=%d&reply=%A&from=%p&to=%P&q=%q&Q=%Q&smsc=%i&id=%I&ts=%T&t=%t", f),
            "http://h/dlr?type=1&reply=stat%3ADELIVRD%20err%3A000&from=0098912&to=%2B989121234567&q=%2B98912"
            "&Q=%2B989121234567&smsc=sim&id=0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b&ts=1700000000"
            "&t=2023-11-14%2022%3A13");
  EXPECT_EQ(ExpandDlrUrl("http://h/?p=100%%&k=%k&end=%", f), "http://h/?p=100%&k=%k&end=%");
  f.type = 16;
  EXPECT_EQ(ExpandDlrUrl("%d", f), "16");
}

}  // namespace
}  // namespace smsgw::webhook
