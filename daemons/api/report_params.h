#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "api/query_params.h"
#include "common/status.h"
#include "proto/smsgw.pb.h"

// The query parameters the report endpoints share (list, export): parsed and checked here, so
// a bad value is a 400 naming the parameter before smsgw-report is asked anything.
namespace smsgw::api {

// `status`: one status name or several separated by commas ("delivered,undelivered"); none
// when absent. "status: unknown status \"x\"" otherwise.
Result<std::vector<v1::MessageStatus>> StatusesParam(const QueryParams& params);

// A time parameter (`since`, `until`): RFC 3339 or a date, as ms since the epoch; 0 when
// absent. "since: not an RFC 3339 time ..." otherwise.
Result<int64_t> TimeParam(const QueryParams& params, std::string_view name);

// `since` and `until` together; until must come after since when both are given.
struct TimeRange {
  int64_t since_ms = 0;
  int64_t until_ms = 0;
};
Result<TimeRange> TimeRangeParams(const QueryParams& params);

// Sets `status`, `since` and `until` on a request that has them (ListMessagesRequest,
// ExportRequest); the first bad one is returned.
template <typename Request>
Status SetStatusAndTimeFilters(const QueryParams& params, Request* req) {
  Result<std::vector<v1::MessageStatus>> statuses = StatusesParam(params);
  if (!statuses.ok()) return statuses.status();
  for (v1::MessageStatus s : *statuses) req->add_statuses(s);
  Result<TimeRange> range = TimeRangeParams(params);
  if (!range.ok()) return range.status();
  req->set_since_ms(range->since_ms);
  req->set_until_ms(range->until_ms);
  return Status::Ok();
}

}  // namespace smsgw::api
