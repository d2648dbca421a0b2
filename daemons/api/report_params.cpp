#include "api/report_params.h"

#include <optional>
#include <string>

#include "common/rfc3339.h"
#include "proto/names.h"

namespace smsgw::api {

Result<std::vector<v1::MessageStatus>> StatusesParam(const QueryParams& params) {
  std::vector<v1::MessageStatus> out;
  std::optional<std::string> text = params.Get("status");
  if (!text) return out;
  std::string_view rest = *text;
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view name = rest.substr(0, comma);
    const v1::MessageStatus status = v1::StatusFromName(name);
    if (status == v1::STATUS_UNSPECIFIED) {
      return Status::InvalidArgument("status: unknown status \"" + std::string(name) +
                                     "\" (accepted, submitted, delivered, undelivered, failed, expired, canceled)");
    }
    out.push_back(status);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

Result<int64_t> TimeParam(const QueryParams& params, std::string_view name) {
  std::optional<std::string> text = params.Get(name);
  if (!text) return int64_t{0};
  Result<int64_t> ms = ParseRfc3339Ms(*text);
  if (!ms.ok()) return ms.status().WithContext(name);
  if (*ms <= 0) return Status::InvalidArgument(std::string(name) + ": must be after 1970-01-01");
  return ms;
}

Result<TimeRange> TimeRangeParams(const QueryParams& params) {
  Result<int64_t> since = TimeParam(params, "since");
  if (!since.ok()) return since.status();
  Result<int64_t> until = TimeParam(params, "until");
  if (!until.ok()) return until.status();
  if (*until > 0 && *until <= *since) return Status::InvalidArgument("until: must be after since");
  return TimeRange{*since, *until};
}

}  // namespace smsgw::api
