#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "metrics/parse.h"

namespace smsgw::smsctl {

// A daemon as its metrics endpoint shows it ([<section>] metrics_listen).
struct DaemonProbe {
  std::string name;     // smsgw-api, ...
  std::string address;  // host:port of /metrics and /healthz; empty when metrics_listen is unset
  std::string state;    // ok, starting, stopping, stuck, down, unknown (no metrics_listen)
  std::string version;
  std::string detail;
  std::optional<metrics::Scrape> scrape;  // its /metrics, when it answered
};

// The four daemons, in the order they start. Each is asked for /healthz and /metrics with a
// short timeout; a daemon that does not answer is "down" with the reason.
std::vector<DaemonProbe> ProbeDaemons(const config::Config& config, bool with_metrics);

}  // namespace smsgw::smsctl
