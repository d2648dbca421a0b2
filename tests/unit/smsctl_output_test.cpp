#include "output.h"

#include <gtest/gtest.h>

#include <sstream>

namespace smsgw::smsctl {
namespace {

Listing Sample() {
  Listing l;
  l.columns = {"id", "name", "balance"};
  l.rows.push_back({1, "acme", 1500});
  l.rows.push_back({12, "comma, \"quoted\"", nullptr});
  return l;
}

std::string Render(const Listing& l, Output o) {
  std::ostringstream out;
  PrintListing(out, l, o);
  return out.str();
}

TEST(SmsctlOutput, TableAlignsColumnsAndRightAlignsNumbers) {
  EXPECT_EQ(Render(Sample(), Output::kTable),
            "ID  NAME             BALANCE\n"
            " 1  acme                1500\n"
            "12  comma, \"quoted\"\n");
}

TEST(SmsctlOutput, CsvQuotesWhatNeedsIt) {
  EXPECT_EQ(Render(Sample(), Output::kCsv),
            "id,name,balance\n"
            "1,acme,1500\n"
            "12,\"comma, \"\"quoted\"\"\",\n");
}

TEST(SmsctlOutput, JsonKeepsTypes) {
  const nlohmann::json j = nlohmann::json::parse(Render(Sample(), Output::kJson));
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["balance"], 1500);
  EXPECT_EQ(j[0]["name"], "acme");
  EXPECT_TRUE(j[1]["balance"].is_null());
}

TEST(SmsctlOutput, EmptyListingStillHasItsHeader) {
  Listing l;
  l.columns = {"id", "name"};
  EXPECT_EQ(Render(l, Output::kCsv), "id,name\n");
  EXPECT_EQ(Render(l, Output::kJson), "[]\n");
}

}  // namespace
}  // namespace smsgw::smsctl
