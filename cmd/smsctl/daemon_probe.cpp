#include "daemon_probe.h"

#include <nlohmann/json.hpp>

#include "common/host_port.h"
#include "http/client.h"

namespace smsgw::smsctl {
namespace {

constexpr auto kTimeout = std::chrono::seconds(2);

DaemonProbe Probe(const std::string& name, const std::string& listen, bool with_metrics) {
  DaemonProbe p{name, listen, "unknown", "", "", std::nullopt};
  if (listen.empty()) {
    p.detail = "metrics_listen is not set";
    return p;
  }
  Result<HostPort> addr = ParseHostPort(listen);
  if (!addr.ok()) {
    p.state = "down";
    p.detail = addr.status().message();
    return p;
  }
  const std::string host = ConnectHost(*addr);
  Result<http::Response> health = http::Get(host, addr->port, "/healthz", kTimeout);
  if (!health.ok()) {
    p.state = "down";
    p.detail = health.status().message();
    return p;
  }
  nlohmann::json body = nlohmann::json::parse(health->body, nullptr, false);
  if (!body.is_object()) {
    p.state = "down";
    p.detail = "/healthz: HTTP " + std::to_string(health->status);
    return p;
  }
  p.state = body.value("status", health->status == 200 ? "ok" : "down");
  p.version = body.value("version", "");
  if (body.contains("uptime_s")) p.detail = "up " + std::to_string(body["uptime_s"].get<int64_t>()) + " s";
  if (body.contains("stuck"))
    p.detail += (p.detail.empty() ? "" : "; ") + std::string("stuck: ") + body["stuck"].dump();
  if (with_metrics) {
    if (Result<http::Response> m = http::Get(host, addr->port, "/metrics", kTimeout); m.ok() && m->status == 200) {
      if (Result<std::vector<metrics::Sample>> s = metrics::ParseExposition(m->body); s.ok()) {
        p.scrape = metrics::Scrape(std::move(s).value());
      }
    }
  }
  return p;
}

}  // namespace

std::vector<DaemonProbe> ProbeDaemons(const config::Config& config, bool with_metrics) {
  return {Probe("smsgw-ledger", config.ledger.metrics_listen, with_metrics),
          Probe("smsgw-report", config.report.metrics_listen, with_metrics),
          Probe("smsgw-sched", config.sched.metrics_listen, with_metrics),
          Probe("smsgw-api", config.api.metrics_listen, with_metrics)};
}

}  // namespace smsgw::smsctl
