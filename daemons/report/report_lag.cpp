#include "report/report_lag.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "common/time.h"
#include "keys/keys.h"

namespace smsgw::report {

ReportLag::ReportLag(const config::RedisConfig& redis, metrics::Registry& registry)
    : config_(redis),
      lag_(registry
               .AddGauge("smsgw_report_lag_seconds",
                         "Age of the oldest status event not yet written to PostgreSQL (read every second).")
               .Get()),
      poller_("report lag", kEvery, [this] {
        if (Status s = Poll(); !s.ok()) spdlog::warn("report: reading the lag for metrics: {}", s.ToString());
      }) {}

ReportLag::~ReportLag() { poller_.Stop(); }

Status ReportLag::Poll() {
  if (!conn_) {
    Result<std::unique_ptr<redis::Connection>> c = redis::Connection::Open(config_);
    if (!c.ok()) return c.status();
    conn_ = std::move(c).value();
  }
  Result<redis::Reply> first = conn_->Run({"XRANGE", keys::kReportEvents, "-", "+", "COUNT", "1"});
  if (!first.ok()) return first.status();
  if (first->elements.empty() || first->elements[0].elements.empty()) {
    lag_.Set(0);
    return Status::Ok();
  }
  // "<ms>-<seq>"
  const std::string& id = first->elements[0].elements[0].str;
  int64_t added_ms = 0;
  if (std::from_chars(id.data(), id.data() + id.size(), added_ms).ec != std::errc()) {
    return Status::Internal("ev:report entry id " + id + " is not <ms>-<seq>");
  }
  lag_.Set(static_cast<double>(std::max<int64_t>(0, NowMs() - added_ms)) / 1000.0);
  return Status::Ok();
}

}  // namespace smsgw::report
