#include "api/request_metrics.h"

#include <algorithm>

namespace smsgw::api {

RequestMetrics::RequestMetrics(const std::vector<std::pair<std::string, std::string>>& routes,
                               metrics::Registry& registry)
    : requests_(registry.AddCounter("smsgw_api_requests_total",
                                    "HTTP answers of the customer API by route, status code and class.",
                                    {"route", "code", "class"})) {
  metrics::Family<metrics::Histogram>& latency = registry.AddHistogram(
      "smsgw_api_request_seconds", "Time from a request's arrival to its answer, by route.", {"route"},
      metrics::LatencyBuckets());
  auto add = [&](std::string label) {
    Route& r = routes_.emplace_back();
    r.latency = &latency.Labels({label});
    r.label = std::move(label);
  };
  for (const auto& [method, pattern] : routes) add(method + " " + pattern);
  add("none");
}

metrics::Counter& RequestMetrics::CounterFor(Route& route, int status) {
  const size_t i = static_cast<size_t>(std::clamp(status, kFirstStatus, kFirstStatus + kStatuses - 1) - kFirstStatus);
  metrics::Counter* c = route.by_status[i].load(std::memory_order_acquire);
  if (c != nullptr) return *c;
  // First answer of this status on this route: the family's lookup, once (a race makes two
  // threads find the same child).
  const std::string code = std::to_string(i + kFirstStatus);
  c = &requests_.Labels({route.label, code, code.substr(0, 1) + "xx"});
  route.by_status[i].store(c, std::memory_order_release);
  return *c;
}

void RequestMetrics::Observe(size_t route, int status, double seconds) {
  Route& r = routes_[std::min(route, routes_.size() - 1)];
  CounterFor(r, status).Inc();
  r.latency->Observe(seconds);
}

}  // namespace smsgw::api
