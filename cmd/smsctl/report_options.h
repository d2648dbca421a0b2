#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "context.h"
#include "proto/smsgw.pb.h"

// What the `smsctl report` subcommands share.
namespace smsgw::smsctl {

// --status (comma-separated names), --since and --until (RFC 3339 or YYYY-MM-DD, UTC; empty:
// no bound), checked: kInvalidArgument naming the option.
struct Filters {
  std::vector<v1::MessageStatus> statuses;
  int64_t since_ms = 0;
  int64_t until_ms = 0;
};
Result<Filters> ParseFilters(const std::string& status, const std::string& since, const std::string& until);

// smsctl report export (report_export.cpp).
void AddExportCommand(CLI::App& report, Context& ctx, Action& run);

}  // namespace smsgw::smsctl
