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

redis::Reply Matched(const std::string& account, const std::string& message, const std::string& state,
                     const std::string& words = "stat:UNDELIV\\xE9 err:001") {
  redis::Reply r;
  r.type = redis::Reply::Type::kArray;
  r.elements = {Str(account), Str(message), Str(state), Str(words)};
  return r;
}

redis::Reply One(const std::string& what) {
  redis::Reply r;
  r.type = redis::Reply::Type::kArray;
  r.elements = {Str(what)};
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

TEST(ReceiptsTest, TheCommandNamesTheKeysAndTheFinalState) {
  smpp::Receipt r = Undelivered();
  ReceiptSettings settings;
  settings.receipt_ttl_s = 3600;
  settings.park_s = 100;
  redis::Command c = MatchReceiptCommand("op1", std::string("\xff\x01", 2), r, settings, 50000);
  ASSERT_EQ(c.size(), 19u);  // EVALSHA sha 6 keys... 10 args
  EXPECT_EQ(c[0], "EVALSHA");
  EXPECT_EQ(c[3], "dlr:op1:\\xFF\x01");  // as SubmittedCommands wrote it
  EXPECT_EQ(c[4], "dlr:park:op1:\\xFF\x01");
  EXPECT_EQ(c[5], "dlr:parked");
  EXPECT_EQ(c[8], "dlr:waiting");  // a final match ends the message's wait for a receipt
  EXPECT_EQ(c[9], "undelivered");
  EXPECT_EQ(c[10], "3600");
  EXPECT_EQ(c[11], std::to_string(kMatchedReceiptTtlS));
  EXPECT_EQ(c[12], "new");
  EXPECT_EQ(c[13], "op1\n\\xFF\x01");
  EXPECT_EQ(c[16], "-50000");  // parked before this (ms) gives up
  EXPECT_EQ(c[17], "stat:UNDELIV err:001");
  redis::Command again = RetryParkedCommand(c[13], settings, 50000);
  EXPECT_EQ(again[3], c[3]);
  EXPECT_EQ(again[8], c[8]);
  EXPECT_EQ(again[12], "parked");
}

TEST(ReceiptsTest, AFinalMatchBecomesAnEventWithTheSmscsWords) {
  smpp::Receipt r = Undelivered();
  r.stat = "UNDELIV\xE9";
  Result<MatchedReceipt> m = ReadReceiptMatch(Matched("7", "msg-1", "undelivered"), 42);
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
  Result<MatchedReceipt> m = ReadReceiptMatch(Matched("7", "msg-1", "delivered"), 1);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->event.status(), v1::STATUS_DELIVERED);
  EXPECT_TRUE(m->event.error().empty());
}

TEST(ReceiptsTest, UnknownIdsAndPartsStillToComeAreNotEvents) {
  Result<MatchedReceipt> unknown = ReadReceiptMatch(redis::Reply{}, 1);
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->match, ReceiptMatch::kUnknown);
  Result<MatchedReceipt> part = ReadReceiptMatch(Matched("7", "msg-1", ""), 1);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(part->match, ReceiptMatch::kMorePartsToCome);
  EXPECT_EQ(ReadReceiptMatch(One("parked"), 1)->match, ReceiptMatch::kParked);
  EXPECT_EQ(ReadReceiptMatch(One("unmatched"), 1)->match, ReceiptMatch::kUnmatched);
  EXPECT_EQ(ReadReceiptMatch(One("gone"), 1)->match, ReceiptMatch::kGone);
  EXPECT_FALSE(ReadReceiptMatch(One("what"), 1).ok());
}

TEST(ReceiptsTest, RepliesItDoesNotUnderstandAreErrorsNotCrashes) {
  redis::Reply error;
  error.type = redis::Reply::Type::kError;
  error.str = "ERR something";
  EXPECT_FALSE(ReadReceiptMatch(error, 1).ok());
  EXPECT_FALSE(ReadReceiptMatch(Matched("x7", "msg-1", "delivered"), 1).ok());
  EXPECT_FALSE(ReadReceiptMatch(Matched("99999999999999999999999", "m", "delivered"), 1).ok());
  EXPECT_FALSE(ReadReceiptMatch(Matched("7", "msg-1", "submitted"), 1).ok());
  redis::Reply short_array;
  short_array.type = redis::Reply::Type::kArray;
  short_array.elements = {Str("7")};
  short_array.elements.push_back(Str("m"));
  EXPECT_FALSE(ReadReceiptMatch(short_array, 1).ok());
}

}  // namespace
}  // namespace smsgw::sched
