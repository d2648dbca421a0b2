#pragma once

#include <string>

#include "metrics/registry.h"

namespace smsgw::metrics {

// The metrics every process exports, read when scraped: smsgw_build_info{program,version} 1,
// process_start_time_seconds, process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds and process_threads (the
// names Prometheus' own client libraries use, so stock dashboards work). Registered for the
// life of this object.
class ProcessMetrics {
 public:
  ProcessMetrics(const std::string& program, Registry& registry = Default());

 private:
  ScrapeCallbacks callbacks_;
};

}  // namespace smsgw::metrics
