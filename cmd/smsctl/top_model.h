#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "daemon_probe.h"
#include "queue_stats.h"

namespace smsgw::smsctl {

// One look at the gateway for `smsctl top`: the queues in Redis and every daemon's /metrics.
struct TopSample {
  std::chrono::steady_clock::time_point at;
  QueueSnapshot queues;
  std::vector<DaemonProbe> daemons;
};

// The figures top shows, from two samples `interval` apart (rates are the counters' growth
// between them): a JSON object (what --output json prints; the screen is drawn from it).
// A figure whose metric no daemon reached exports (down, or without metrics_listen) is null,
// and its metric is named in "missing_metrics", so the screen shows "-" instead of a made-up
// number.
nlohmann::json TopFigures(const TopSample& before, const TopSample& now, const config::Config& config);

// The screen: plain text lines, at most `width` columns.
std::string RenderTop(const nlohmann::json& figures, int width);

}  // namespace smsgw::smsctl
