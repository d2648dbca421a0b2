#include "sched/receipts.h"

#include <gtest/gtest.h>

namespace smsgw::sched {
namespace {

redis::Reply Str(const std::string& s) {
  redis::Reply r;
  r.type = redis::Reply::Type::kString;
  r.str = s;
  return r;
}

redis::Reply Matched(const std::string& account, const std::string& message, const std::string& state) {
  redis::Reply r;
  r.type = redis::Reply::Type::kArray;
  r.elements = {Str(account), Str(message), Str(state)};
  return r;
}

smpp::Receipt Undelivered() {
  smpp::Receipt r;
  r.message_id = "abc";
  r.state = smpp::ReceiptState::kUndelivered;
  r.stat = "UNDELIV";
  r.error_code = "001";
  return r;
}

TEST(ReceiptsTest, TheCommandNamesTheKeyAndTheFinalState) {
  smpp::Receipt r = Undelivered();
  r.message_id = std::string("\xff\x01", 2);
  redis::Command c = MatchReceiptCommand("op1", r, 3600);
  ASSERT_EQ(c.size(), 7u);  // EVALSHA sha 1 key state ttl matched-ttl
  EXPECT_EQ(c[0], "EVALSHA");
  EXPECT_EQ(c[3], "dlr:op1:\\xFF\x01");  // as SubmittedCommands wrote it
  EXPECT_EQ(c[4], "undelivered");
  EXPECT_EQ(c[5], "3600");
  EXPECT_EQ(c[6], std::to_string(kMatchedReceiptTtlS));
}

TEST(ReceiptsTest, AFinalMatchBecomesAnEventWithTheSmscsWords) {
  smpp::Receipt r = Undelivered();
  r.stat = "UNDELIV\xE9";
  Result<MatchedReceipt> m = ReadReceiptMatch(Matched("7", "msg-1", "undelivered"), r, 42);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->match, ReceiptMatch::kFinal);
  EXPECT_EQ(m->event.account_id(), 7);
  EXPECT_EQ(m->event.message_id(), "msg-1");
  EXPECT_EQ(m->event.status(), v1::STATUS_UNDELIVERED);
  EXPECT_EQ(m->event.at_ms(), 42);
  EXPECT_EQ(m->event.error(), "stat:UNDELIV\\xE9 err:001");
}

TEST(ReceiptsTest, DeliveredCarriesNoError) {
  smpp::Receipt r = Undelivered();
  r.state = smpp::ReceiptState::kDelivered;
  Result<MatchedReceipt> m = ReadReceiptMatch(Matched("7", "msg-1", "delivered"), r, 1);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->event.status(), v1::STATUS_DELIVERED);
  EXPECT_TRUE(m->event.error().empty());
}

TEST(ReceiptsTest, UnknownIdsAndPartsStillToComeAreNotEvents) {
  Result<MatchedReceipt> unknown = ReadReceiptMatch(redis::Reply{}, Undelivered(), 1);
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->match, ReceiptMatch::kUnknown);
  Result<MatchedReceipt> part = ReadReceiptMatch(Matched("7", "msg-1", ""), Undelivered(), 1);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(part->match, ReceiptMatch::kMorePartsToCome);
}

TEST(ReceiptsTest, RepliesItDoesNotUnderstandAreErrorsNotCrashes) {
  redis::Reply error;
  error.type = redis::Reply::Type::kError;
  error.str = "ERR something";
  EXPECT_FALSE(ReadReceiptMatch(error, Undelivered(), 1).ok());
  EXPECT_FALSE(ReadReceiptMatch(Matched("x7", "msg-1", "delivered"), Undelivered(), 1).ok());
  EXPECT_FALSE(ReadReceiptMatch(Matched("99999999999999999999999", "m", "delivered"), Undelivered(), 1).ok());
  EXPECT_FALSE(ReadReceiptMatch(Matched("7", "msg-1", "submitted"), Undelivered(), 1).ok());
  redis::Reply short_array;
  short_array.type = redis::Reply::Type::kArray;
  short_array.elements = {Str("7")};
  EXPECT_FALSE(ReadReceiptMatch(short_array, Undelivered(), 1).ok());
}

}  // namespace
}  // namespace smsgw::sched
