#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "metrics/registry.h"

namespace smsgw::api {

// smsgw_api_requests_total{route,code,class} and smsgw_api_request_seconds{route}: one count
// and one latency per answer. `route` is the method and pattern ("POST /v1/messages",
// "GET /v1/messages/{id}"), so ids never become label values, and "none" for a request that
// matched no route (404, 405, unreadable). The children are looked up once: the histograms at
// construction, each (route, status) counter the first time it is answered, then kept in an
// array, so Observe is a few relaxed atomic operations. Thread-safe.
class RequestMetrics {
 public:
  static constexpr size_t kNoRoute = static_cast<size_t>(-1);

  // `routes`: (method, pattern) in the router's order.
  explicit RequestMetrics(const std::vector<std::pair<std::string, std::string>>& routes,
                          metrics::Registry& registry = metrics::Default());

  // An answer `status` to a request of route `route` (an index of `routes`, or kNoRoute),
  // `seconds` after it arrived.
  void Observe(size_t route, int status, double seconds);

 private:
  static constexpr int kFirstStatus = 100;
  static constexpr int kStatuses = 500;  // 100..599

  struct Route {
    std::string label;
    metrics::Histogram* latency = nullptr;
    std::array<std::atomic<metrics::Counter*>, kStatuses> by_status{};
  };
  metrics::Counter& CounterFor(Route& route, int status);

  metrics::Family<metrics::Counter>& requests_;
  std::deque<Route> routes_;  // one per route, then "none"; never moved once built
};

}  // namespace smsgw::api
