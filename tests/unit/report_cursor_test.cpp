// The list's keyset cursor: opaque, URL-safe, and only what the service made decodes.
#include <gtest/gtest.h>

#include "report/cursor.h"
#include "sms/uuid7.h"

namespace smsgw::report {
namespace {

TEST(ReportCursor, RoundTripsAnyUuidV7AndIsUrlSafe) {
  for (int i = 0; i < 200; ++i) {
    const std::string id = sms::NewUuidV7();
    const std::string cursor = EncodeCursor(id);
    EXPECT_EQ(cursor.size(), 22u);
    EXPECT_EQ(cursor.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos)
        << cursor;
    Result<std::string> back = DecodeCursor(cursor);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, id);
  }
}

TEST(ReportCursor, RefusesWhatItDidNotMake) {
  const std::string good = EncodeCursor(sms::NewUuidV7());
  for (const std::string& bad : {std::string(), std::string("abc"), good + "A", good.substr(1),
                                 std::string(22, '*'), std::string(22, 'A'),  // all zero: not a v7 id
                                 EncodeCursor("919108f7-52d1-4320-9bac-f847db4148a8")}) {  // v4
    Result<std::string> r = DecodeCursor(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.status().message().rfind("cursor: ", 0), 0u) << r.status().message();
  }
  // Another spelling of the same bits (the unused low bits of the last character set) is not
  // accepted: a cursor has one form.
  std::string other = good;
  other.back() = other.back() == 'A' ? 'B' : 'A';
  if (other != good) {
    Result<std::string> r = DecodeCursor(other);
    if (r.ok()) {
      EXPECT_NE(*r, *DecodeCursor(good));
    }
  }
}

// The ids tests and benchmarks place on a chosen millisecond (sms::UuidV7At).
TEST(ReportCursor, IdsAtAChosenTimeAreValidDistinctAndOrderedByTime) {
  const int64_t ms = 1'700'000'000'123;
  const std::string a = sms::UuidV7At(ms, 1), b = sms::UuidV7At(ms, 2), later = sms::UuidV7At(ms + 1, 0);
  EXPECT_EQ(*sms::UuidV7TimeMs(a), ms);
  EXPECT_EQ(*sms::UuidV7TimeMs(later), ms + 1);
  EXPECT_NE(a, b);
  EXPECT_EQ(sms::UuidV7At(ms, 1), a);
  EXPECT_LT(std::max(a, b), later);
  EXPECT_EQ(*DecodeCursor(EncodeCursor(b)), b);
}

}  // namespace
}  // namespace smsgw::report
