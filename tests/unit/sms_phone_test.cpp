#include "sms/phone.h"

#include <gtest/gtest.h>

#include <string>

namespace smsgw::sms {
namespace {

std::string Normalized(std::string_view input, std::string_view region) {
  auto number = NormalizeNumber(input, region);
  EXPECT_TRUE(number.ok()) << input << ": " << number.status().ToString();
  return number.ok() ? *number : "";
}

void ExpectInvalidNumber(std::string_view input, std::string_view region) {
  auto number = NormalizeNumber(input, region);
  ASSERT_FALSE(number.ok()) << input << " gave " << *number;
  EXPECT_EQ(number.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(number.status().message(), "to: not a valid phone number");
}

TEST(PhoneTest, IranianMobileInEverySpelling) {
  EXPECT_EQ(Normalized("+989121234567", "IR"), "+989121234567");
  EXPECT_EQ(Normalized("09121234567", "IR"), "+989121234567");
  EXPECT_EQ(Normalized("00989121234567", "IR"), "+989121234567");
  EXPECT_EQ(Normalized("+98 912 123 4567", "IR"), "+989121234567");
  EXPECT_EQ(Normalized("0912-123-4567", "ir"), "+989121234567");  // region in any case
  EXPECT_EQ(Normalized("۰۹۱۲۱۲۳۴۵۶۷", "IR"), "+989121234567");    // Persian digits
  EXPECT_EQ(Normalized("+989121234567", "US"), "+989121234567");  // '+' ignores the region
}

TEST(PhoneTest, CanonicalInputAgreesWithTheFullParser) {
  // "+<digits>" takes a fast path; the same number with a space goes through the full parser.
  // Both must give the same answer, valid or not.
  for (const char* canonical :
       {"+989121234567", "+16502530000", "+442079460000", "+390612345678", "+3906123456789", "+4930123456",
        "+491701234567", "+79161234567", "+8613812345678", "+971501234567", "+35312345678", "+6421234567",
        "+989121234", "+98912123456789", "+999123456", "+12345", "+10000000000", "+9890000000000",
        "+2250712345678", "+5491123456789", "+8801712345678"}) {
    const std::string spaced = std::string(canonical).insert(3, " ");
    Result<std::string> fast = NormalizeNumber(canonical, "IR");
    Result<std::string> full = NormalizeNumber(spaced, "IR");
    EXPECT_EQ(fast.ok(), full.ok()) << canonical;
    if (fast.ok() && full.ok()) EXPECT_EQ(*fast, *full) << canonical;
  }
}

TEST(PhoneTest, UsNumber) {
  EXPECT_EQ(Normalized("+1 650-253-0000", "IR"), "+16502530000");
  EXPECT_EQ(Normalized("(650) 253-0000", "US"), "+16502530000");
  EXPECT_EQ(Normalized("011 98 912 123 4567", "US"), "+989121234567");  // US exit code
}

TEST(PhoneTest, RejectsJunk) {
  ExpectInvalidNumber("", "IR");
  ExpectInvalidNumber("hello", "IR");
  ExpectInvalidNumber("12", "IR");
  ExpectInvalidNumber("+98912", "IR");
  ExpectInvalidNumber("091212345678901234", "IR");
  ExpectInvalidNumber("+1-800-FLOWERS", "US");  // no vanity numbers
  ExpectInvalidNumber("tel:+989121234567", "IR");
  ExpectInvalidNumber("+989121234567 ext. 12", "IR");
  ExpectInvalidNumber("++989121234567", "IR");
  ExpectInvalidNumber("98+9121234567", "IR");
  ExpectInvalidNumber("+99912345678", "IR");  // no such country code
  ExpectInvalidNumber("\xFF", "IR");
}

TEST(PhoneTest, NationalFormNeedsARegion) {
  ExpectInvalidNumber("09121234567", "");
  ExpectInvalidNumber("09121234567", "XX");
  EXPECT_EQ(Normalized("+989121234567", ""), "+989121234567");
}

TEST(PhoneTest, LibraryLogsNothing) {
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  (void)NormalizeNumber("09121234567", "XX");
  (void)NormalizeNumber("1", "IR");
  (void)NormalizeNumber("+99912345678", "IR");
  (void)IsSupportedRegion("QQ");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "");
}

TEST(PhoneTest, SupportedRegions) {
  EXPECT_TRUE(IsSupportedRegion("IR"));
  EXPECT_TRUE(IsSupportedRegion("us"));
  EXPECT_FALSE(IsSupportedRegion("XX"));
  EXPECT_FALSE(IsSupportedRegion("ZZ"));
  EXPECT_FALSE(IsSupportedRegion(""));
  EXPECT_FALSE(IsSupportedRegion("001"));
}

void ExpectSender(std::string_view from) {
  auto sender = ValidateSender(from);
  ASSERT_TRUE(sender.ok()) << from << ": " << sender.status().ToString();
  EXPECT_EQ(*sender, from);
}

void ExpectBadSender(std::string_view from) {
  auto sender = ValidateSender(from);
  ASSERT_FALSE(sender.ok()) << from;
  EXPECT_EQ(sender.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(sender.status().message().rfind("from: ", 0), 0u) << sender.status().message();
}

TEST(PhoneTest, SenderAccepted) {
  ExpectSender("");
  ExpectSender("MyShop");
  ExpectSender("Shop 24");
  ExpectSender("ABCDEFGHIJK");    // 11 characters
  ExpectSender("Shop-24 @x");     // ASCII punctuation the GSM basic table has too
  ExpectSender("12345678901");    // numeric
  ExpectSender("123456789012345");
  ExpectSender("+989121234567");
  ExpectSender("3000");
}

TEST(PhoneTest, SenderRefused) {
  ExpectBadSender("ABCDEFGHIJKL");      // 12 characters
  ExpectBadSender("1234567890123456");  // 16 digits
  ExpectBadSender("+1234567890123456");
  ExpectBadSender("+");
  ExpectBadSender("Shop€");        // extension character
  ExpectBadSender("Shop[1]");      // extension characters
  ExpectBadSender("Shop\n");
  ExpectBadSender("فروشگاه");
  ExpectBadSender("Shop`");
  // Review m6 / F4: what the SMPP layer would garble or refuse after a 202.
  ExpectBadSender("ÄÖÜäöüßÆæÅå");  // GSM letters, but not ASCII: 22 octets of UTF-8
  ExpectBadSender("Café");
  ExpectBadSender("+ABC");         // '+' makes it a number for SMPP
  ExpectBadSender("+12ab");
  ExpectBadSender("Shop\x01");
  ExpectBadSender("Sh\xFFp");
}

}  // namespace
}  // namespace smsgw::sms
