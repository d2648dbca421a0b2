#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "report_lag_load.h"
#include "report_lag_samples.h"

namespace smsgw::bench {

struct WatchOptions {
  std::string pg_dsn;
  std::string stream = "ev:report";
  std::string group = "report";
  int poll_ms = 25;  // how often PostgreSQL is asked for the watched messages
  int drain_s = 30;  // after the last XADD: how long to wait for the backlog and the samples
};

// One second of the run, as the watcher saw it at its end.
struct Tick {
  double t_s = 0;               // since the start
  int64_t events_added = 0;     // cumulative, from the loader
  int64_t stream_length = 0;    // XLEN: added and not yet written (the report deletes what it wrote)
  int64_t pending = 0;          // XPENDING: read by the report, not yet acked
  int64_t rows_inserted = 0;    // cumulative, pg_stat_user_tables over the messages partitions
  int64_t rows_updated = 0;
  int64_t rows_hot_updated = 0;
};

struct WatchResult {
  std::vector<Tick> ticks;
  double load_end_s = -1;   // when the loader added its last event
  double drained_s = -1;    // when XLEN and XPENDING first read 0 after that; -1: not in time
  int polls = 0;
  double poll_ms_max = 0;  // the slowest PostgreSQL poll: the resolution of the lag figures
};

// Polls PostgreSQL every poll_ms for the watched messages that have an event added but not
// seen, marking in `book` what each shows, and reads the backlog (XLEN, XPENDING) and
// PostgreSQL's row counters once a second. Runs on the calling thread until the loader is done
// and then everything is seen and drained, drain_s passes, or `stop` is set.
Result<WatchResult> RunWatch(const WatchOptions& options, const config::RedisConfig& redis,
                             SampleBook* book, const LoadCounters* load,
                             const std::atomic<bool>* stop);

}  // namespace smsgw::bench
