// The report endpoints' query parameters (smsgw-api) and RFC 3339 times: every bad value is
// refused naming its parameter; the chunked body bounds what waits for the client.
#include <gtest/gtest.h>

#include <thread>

#include "api/chunked_body.h"
#include "api/query_params.h"
#include "api/report_params.h"
#include "common/rfc3339.h"

namespace smsgw::api {
namespace {

std::string Error(std::string_view target, const std::vector<std::string_view>& allowed) {
  Result<QueryParams> p = QueryParams::Parse(target, allowed);
  if (!p.ok()) return p.status().message();
  Result<TimeRange> r = TimeRangeParams(*p);
  if (!r.ok()) return r.status().message();
  Result<std::vector<v1::MessageStatus>> s = StatusesParam(*p);
  if (!s.ok()) return s.status().message();
  Result<int64_t> limit = IntParam(*p, "limit", 100, 1, 1000);
  if (!limit.ok()) return limit.status().message();
  return "ok";
}

TEST(ReportApiParams, DecodesAndKeepsPlus) {
  Result<QueryParams> p = QueryParams::Parse("/v1/messages?to=+98912&client_ref=a%20b%2Bc&limit=5", {"to", "client_ref", "limit"});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->Get("to"), "+98912");
  EXPECT_EQ(p->Get("client_ref"), "a b+c");
  EXPECT_EQ(p->Get("cursor"), std::nullopt);
  EXPECT_EQ(*IntParam(*p, "limit", 100, 1, 1000), 5);
}

TEST(ReportApiParams, NamesTheBadParameter) {
  const std::vector<std::string_view> all = {"limit", "status", "since", "until"};
  EXPECT_EQ(Error("/x?limit=0", all), "limit: must be an integer from 1 to 1000");
  EXPECT_EQ(Error("/x?limit=1001", all), "limit: must be an integer from 1 to 1000");
  EXPECT_EQ(Error("/x?limit=ten", all), "limit: must be an integer from 1 to 1000");
  EXPECT_EQ(Error("/x?limit=1&limit=2", all), "limit: given more than once");
  EXPECT_EQ(Error("/x?colour=red", all), "colour: unknown parameter");
  EXPECT_EQ(Error("/x?status=delivered,lost", all).rfind("status: unknown status \"lost\"", 0), 0u);
  EXPECT_EQ(Error("/x?since=yesterday", all).rfind("since: not an RFC 3339 time", 0), 0u);
  EXPECT_EQ(Error("/x?until=2026-13-01", all).rfind("until: not an RFC 3339 time", 0), 0u);
  EXPECT_EQ(Error("/x?since=2026-11-02&until=2026-11-01", all), "until: must be after since");
  EXPECT_EQ(Error("/x?since=%zz", all), "since: badly percent-encoded");
  EXPECT_EQ(Error("/x?since=2026-11-01T10:00:00Z&until=2026-11-02&status=delivered,failed&limit=10", all), "ok");
}

TEST(Rfc3339, ParsesAndFormats) {
  EXPECT_EQ(*ParseRfc3339Ms("2023-11-14T22:13:20Z"), 1700000000000);
  EXPECT_EQ(*ParseRfc3339Ms("2023-11-14t22:13:20.123456z"), 1700000000123);
  EXPECT_EQ(*ParseRfc3339Ms("2023-11-15T01:43:20+03:30"), 1700000000000);
  EXPECT_EQ(*ParseRfc3339Ms("2023-11-14 17:13:20-05:00"), 1700000000000);
  EXPECT_EQ(*ParseRfc3339Ms("2023-11-14"), 1699920000000);
  for (const char* bad : {"", "2023-11-14T22:13:20", "2023-02-30", "2023-11-14T25:00:00Z", "1700000000",
                          "2023-11-14T22:13:20.Z", "2023-11-14Z"}) {
    EXPECT_FALSE(ParseRfc3339Ms(bad).ok()) << bad;
  }
  EXPECT_EQ(FormatRfc3339Ms(1700000000123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(*ParseRfc3339Ms(FormatRfc3339Ms(1234567890987)), 1234567890987);
}

TEST(ChunkedBody, ProducerWaitsForTheConsumerAndStopsWhenCancelled) {
  ChunkedBody body(10);
  ASSERT_TRUE(body.Write("0123456789"));  // fills it
  bool second_written = false;
  std::thread producer([&] {
    second_written = body.Write("abc");
    body.Finish();
  });
  std::string chunk;
  EXPECT_EQ(body.Take(&chunk, [] {}), ChunkedBody::Next::kChunk);
  EXPECT_EQ(chunk, "0123456789");
  producer.join();  // room was made, so it wrote and finished
  EXPECT_TRUE(second_written);
  EXPECT_EQ(body.Take(&chunk, [] {}), ChunkedBody::Next::kChunk);
  EXPECT_EQ(chunk, "abc");
  EXPECT_EQ(body.Take(&chunk, [] {}), ChunkedBody::Next::kEnd);

  ChunkedBody gone(4);
  ASSERT_TRUE(gone.Write("full"));
  std::thread blocked([&] { EXPECT_FALSE(gone.Write("more")); });
  gone.Cancel();
  blocked.join();
  EXPECT_EQ(gone.Take(&chunk, [] {}), ChunkedBody::Next::kAbort);

  ChunkedBody waiting;
  int woken = 0;
  EXPECT_EQ(waiting.Take(&chunk, [&] { ++woken; }), ChunkedBody::Next::kWait);
  waiting.Write("x");
  EXPECT_EQ(woken, 1);
}

}  // namespace
}  // namespace smsgw::api
