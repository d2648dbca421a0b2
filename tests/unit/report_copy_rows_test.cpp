// The COPY text smsgw-report streams into its staging table: column order, NULLs and escaping.
#include <gtest/gtest.h>

#include "report/copy_rows.h"

namespace smsgw::report {
namespace {

TEST(ReportCopyRows, OneLinePerUpdateInColumnOrder) {
  MessageUpdate full;
  full.id = "018f3a5b-7c00-7abc-8def-0123456789ab";
  full.account_id = 42;
  full.created_at_ms = 1716000000000;
  full.status = v1::STATUS_DELIVERED;
  full.to = "+989121234567";
  full.from = "SMSGW";
  full.encoding = v1::ENCODING_UCS2;
  full.segments = 2;
  full.cost = -5;
  full.priority = v1::PRIORITY_EXPRESS;
  full.client_ref = "r";
  full.submitted_at_ms = 1716000000100;
  full.done_at_ms = 1716000000200;
  full.operator_name = "sim";
  full.operator_message_id = "op";
  full.error = "";
  full.callback_url = "https://h.example/cb";
  full.dlr_url = "http://k.example/dlr?t=%d";
  full.dlr_mask = 19;

  MessageUpdate bare;
  bare.id = "018f3a5b-7c01-7abc-8def-0123456789ab";
  bare.created_at_ms = 7;
  bare.status = v1::STATUS_SUBMITTED;

  EXPECT_EQ(CopyRows({full, bare}),
            "018f3a5b-7c00-7abc-8def-0123456789ab\t42\t1716000000000\tdelivered\t+989121234567\t"
            "SMSGW\tucs2\t2\t-5\texpress\tr\t1716000000100\t1716000000200\tsim\top\t\t"
            "https://h.example/cb\thttp://k.example/dlr?t=%d\t19\n"
            "018f3a5b-7c01-7abc-8def-0123456789ab\t\\N\t7\tsubmitted\t\\N\t\\N\t\\N\t\\N\t\\N\t"
            "\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n");
  EXPECT_EQ(CopyRows({}), "");
}

TEST(ReportCopyRows, EscapesWhatCopyWouldReadAsStructure) {
  MessageUpdate u;
  u.id = "018f3a5b-7c00-7abc-8def-0123456789ab";
  u.status = v1::STATUS_FAILED;
  u.error = "a\tb\nc\rd\\e \\N";
  const std::string text = CopyRows({u});
  EXPECT_NE(text.find("\ta\\tb\\nc\\rd\\\\e \\\\N\t"), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\t'), 18);
}

}  // namespace
}  // namespace smsgw::report
