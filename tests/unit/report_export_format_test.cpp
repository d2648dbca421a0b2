// The export's text: COPY rows in, CSV (RFC 4180) or JSON Lines out.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "report/export_format.h"

namespace smsgw::report {
namespace {

// id, status, to, from, encoding, segments, cost, priority, client_ref, accepted, submitted,
// done, error, as COPY text.
const std::string kRow =
    "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\tdelivered\t+989121234567\t\\N\tgsm7\t1\t10\tnormal\t"
    "a,b \"c\"\\tx\\\\y\t1700000000123\t\\N\t1700000001000\t\\N";

TEST(ReportExportFormat, CsvHasHeaderQuotingNullsAndTimes) {
  EXPECT_EQ(ExportHeader(v1::EXPORT_CSV),
            "id,status,to,from,encoding,segments,cost,priority,client_ref,accepted_at,submitted_at,done_at,error\n");
  std::string out;
  ASSERT_TRUE(AppendExportRow(kRow, v1::EXPORT_CSV, &out));
  EXPECT_EQ(out,
            "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b,delivered,+989121234567,,gsm7,1,10,normal,"
            "\"a,b \"\"c\"\"\tx\\y\",2023-11-14T22:13:20.123Z,,2023-11-14T22:13:21.000Z,\n");
}

TEST(ReportExportFormat, JsonLinesAreOneObjectEachWithTypes) {
  EXPECT_EQ(ExportHeader(v1::EXPORT_JSONL), "");
  std::string out;
  ASSERT_TRUE(AppendExportRow(kRow, v1::EXPORT_JSONL, &out));
  ASSERT_EQ(out.back(), '\n');
  EXPECT_EQ(out.find('\n'), out.size() - 1);
  nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_EQ(j["id"], "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
  EXPECT_EQ(j["cost"], 10);
  EXPECT_EQ(j["segments"], 1);
  EXPECT_TRUE(j["from"].is_null());
  EXPECT_TRUE(j["submitted_at"].is_null());
  EXPECT_EQ(j["client_ref"], "a,b \"c\"\tx\\y");
  EXPECT_EQ(j["accepted_at"], "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(nlohmann::ordered_json::parse(out).begin().key(), "id");  // columns keep their order
}

TEST(ReportExportFormat, RefusesRowsOfAnotherShape) {
  std::string out;
  EXPECT_FALSE(AppendExportRow("a\tb\tc", v1::EXPORT_CSV, &out));
  EXPECT_FALSE(AppendExportRow(kRow + "\textra", v1::EXPORT_JSONL, &out));
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace smsgw::report
