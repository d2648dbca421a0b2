// smsctl send --file: CSV (libcsv, RFC 4180 quoting) and JSONL read in chunks, errors naming
// the record, and the --failed-out file that can be sent again.
#include <gtest/gtest.h>

#include <sstream>

#include "send_input.h"

namespace smsgw::smsctl {
namespace {

std::vector<SendItem> ReadAll(const std::string& text, InputFormat format, size_t chunk = 1000, Status* error = nullptr) {
  std::istringstream in(text);
  SendInput input(in, format);
  std::vector<SendItem> all;
  for (bool more = true; more;) {
    Status s = input.Next(chunk, all, &more);
    if (!s.ok()) {
      if (error != nullptr) *error = s;
      break;
    }
  }
  return all;
}

TEST(SmsctlSendInputTest, CsvWithQuotesCommasAndNewlines) {
  const std::string csv =
      "to,text,priority,from\r\n"
      "+989121234567,hello,,\r\n"
      "+989121234568,\"a, b and \"\"c\"\"\nsecond line\",express,ACME\r\n";
  std::vector<SendItem> items = ReadAll(csv, InputFormat::kCsv);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].record, 2);
  EXPECT_EQ(items[0].message, nlohmann::json({{"to", "+989121234567"}, {"text", "hello"}}));
  EXPECT_EQ(items[1].message.at("text"), "a, b and \"c\"\nsecond line");
  EXPECT_EQ(items[1].message.at("priority"), "express");
  EXPECT_EQ(items[1].message.at("from"), "ACME");
}

TEST(SmsctlSendInputTest, CsvIsReadInChunks) {
  std::string csv = "text,to\n";
  for (int i = 0; i < 2500; ++i) csv += "m" + std::to_string(i) + ",+98912" + std::to_string(1000000 + i) + "\n";
  std::istringstream in(csv);
  SendInput input(in, InputFormat::kCsv);
  std::vector<size_t> sizes;
  for (bool more = true; more;) {
    std::vector<SendItem> chunk;
    ASSERT_TRUE(input.Next(1000, chunk, &more).ok());
    if (!chunk.empty()) sizes.push_back(chunk.size());
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{1000, 1000, 500}));
}

TEST(SmsctlSendInputTest, CsvErrorsNameTheRecord) {
  Status s;
  ReadAll("to,txt\n+98912,x\n", InputFormat::kCsv, 1000, &s);
  EXPECT_NE(s.message().find("unknown column \"txt\""), std::string::npos) << s.message();
  ReadAll("to,priority\n+98912,x\n", InputFormat::kCsv, 1000, &s);
  EXPECT_NE(s.message().find("to and text are required"), std::string::npos) << s.message();
  ReadAll("to,text\n+98912,a\n+98913\n", InputFormat::kCsv, 1000, &s);
  EXPECT_NE(s.message().find("record 3"), std::string::npos) << s.message();
  ReadAll("to,text\n+98912,\"unterminated\n", InputFormat::kCsv, 1000, &s);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << s.message();
  ReadAll("to,text,validity_s\n+98912,a,soon\n", InputFormat::kCsv, 1000, &s);
  EXPECT_NE(s.message().find("validity_s must be an integer"), std::string::npos) << s.message();
}

TEST(SmsctlSendInputTest, JsonlSkipsBlankLinesAndRefusesOthers) {
  Status s;
  std::vector<SendItem> items =
      ReadAll("{\"to\":\"+98912\",\"text\":\"a\",\"validity_s\":60}\n\n{\"to\":\"+98913\",\"text\":\"b\",\"error\":\"old\"}\n",
              InputFormat::kJsonl);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].message.at("validity_s"), 60);
  EXPECT_EQ(items[1].record, 3);
  EXPECT_FALSE(items[1].message.contains("error"));
  ReadAll("{\"to\":\"+98912\"}\nnot json\n", InputFormat::kJsonl, 1000, &s);
  EXPECT_NE(s.message().find("line 2"), std::string::npos) << s.message();
}

TEST(SmsctlSendInputTest, FailedOutputCanBeSentAgain) {
  std::ostringstream out;
  FailedOutput failed(out, InputFormat::kCsv);
  failed.Write({2, {{"to", "+98912"}, {"text", "x, \"y\""}}}, "invalid_argument: to: not a number");
  std::vector<SendItem> again = ReadAll(out.str(), InputFormat::kCsv);
  ASSERT_EQ(again.size(), 1u) << out.str();
  EXPECT_EQ(again[0].message, nlohmann::json({{"to", "+98912"}, {"text", "x, \"y\""}}));
  EXPECT_NE(out.str().find("invalid_argument: to: not a number"), std::string::npos);
}

TEST(SmsctlSendInputTest, FormatFromNameOrFirstCharacter) {
  EXPECT_EQ(GuessFormat("a.csv", "{"), InputFormat::kCsv);
  EXPECT_EQ(GuessFormat("a.jsonl", "t"), InputFormat::kJsonl);
  EXPECT_EQ(GuessFormat("-", "  {"), InputFormat::kJsonl);
  EXPECT_EQ(GuessFormat("-", "to,text"), InputFormat::kCsv);
}

}  // namespace
}  // namespace smsgw::smsctl
