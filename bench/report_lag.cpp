// smsgw-bench-report-lag: how far smsgw-report trails ev:report. Adds the three StatusEvents of
// --rate messages per second (accepted, then submitted and delivered later) for --seconds to the
// stream a running smsgw-report consumes, and measures for every --sample-every'th message the
// time from the XADD of each event to that status (or a later one) being readable in PostgreSQL,
// which is what GET /v1/messages/{id} reads. Prints lag percentiles, the write rate (events and
// rows per second), the backlog per second and at the end. Everything is bounded: the load by
// --seconds (and the events it already scheduled), the wait for the backlog by --drain-seconds.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <limits>
#include <pqxx/pqxx>
#include <random>
#include <thread>

#include "report_lag_load.h"
#include "report_lag_watch.h"
#include "stats.h"

namespace smsgw::bench {
namespace {

constexpr double kNever = std::numeric_limits<double>::infinity();

struct Options {
  LoadOptions load;
  WatchOptions watch;
  int redis_port = 16379;
  bool keep_rows = false;
  int target_p99_ms = 2000;
};

// Only loopback: the tool writes thousands of events per second.
bool IsLoopbackDsn(const std::string& dsn) {
  for (const char* host : {"host=127.0.0.1", "host=localhost", "host=::1", "host=/", "@127.0.0.1",
                           "@localhost"}) {
    if (dsn.find(host) != std::string::npos) return true;
  }
  return false;
}

std::string Ms(double ms) {
  if (std::isinf(ms)) return "never";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", ms);
  return buf;
}

// "p50 .. p90 .. p99 .. max .." in ms; unseen events count as never (so they raise p99).
std::string LagSummary(std::vector<double> lags) {
  if (lags.empty()) return "none";
  std::sort(lags.begin(), lags.end());
  return "p50 " + Ms(Quantile(lags, 0.50)) + " p90 " + Ms(Quantile(lags, 0.90)) + " p99 " +
         Ms(Quantile(lags, 0.99)) + " max " + Ms(lags.back()) + " ms";
}

double LagMs(const Sample& s, int k) {
  if (!s.has_seen[k]) return kNever;
  return std::chrono::duration<double, std::milli>(s.seen[k] - s.added[k]).count();
}

int Report(const Options& o, const LoadCounters& load, const WatchResult& w,
           const std::vector<Sample>& samples, Clock::time_point start) {
  const int64_t events = load.events.load();
  const int64_t messages = load.messages.load();
  const double accept_s = o.load.seconds;
  std::printf("offered: %lld messages, %lld events in %.1f s (%.0f messages/s, %.0f events/s "
              "while accepting; loader at most %lld ms behind)\n",
              static_cast<long long>(messages), static_cast<long long>(events), w.load_end_s,
              messages / accept_s, 3.0 * messages / accept_s,
              static_cast<long long>(load.late_ms.load()));

  // Rates over the seconds the loader ran at full speed (accepted, submitted and delivered all
  // flowing): from the deliver delay on to the end of accepting.
  const Tick* first = nullptr;
  const Tick* last = nullptr;
  for (const Tick& t : w.ticks) {
    if (t.t_s >= o.load.deliver_ms / 1000.0 + 1.0 && t.t_s <= accept_s + 0.01) {
      if (first == nullptr) first = &t;
      last = &t;
    }
  }
  if (first != nullptr && last != first) {
    const double span = last->t_s - first->t_s;
    const double added = static_cast<double>(last->events_added - first->events_added);
    const double written = static_cast<double>((last->events_added - last->stream_length) -
                                               (first->events_added - first->stream_length));
    const double rows = static_cast<double>(last->rows_inserted + last->rows_updated -
                                            first->rows_inserted - first->rows_updated);
    std::printf("steady state (%.0f-%.0f s): added %.0f events/s, written %.0f events/s, "
                "%.0f rows/s\n",
                first->t_s, last->t_s, added / span, written / span, rows / span);
  }
  const Tick& end = w.ticks.back();
  const int64_t updated = end.rows_updated - w.ticks.front().rows_updated;
  std::printf("rows: %lld inserted, %lld updated (%.0f%% of updates HOT)\n",
              static_cast<long long>(end.rows_inserted - w.ticks.front().rows_inserted),
              static_cast<long long>(updated),
              updated > 0 ? 100.0 * static_cast<double>(end.rows_hot_updated -
                                                        w.ticks.front().rows_hot_updated) /
                                static_cast<double>(updated)
                          : 0.0);
  if (w.drained_s >= 0) {
    std::printf("drained: backlog empty %.1f s after the last XADD (all %lld events written in "
                "%.1f s: %.0f events/s)\n",
                w.drained_s - w.load_end_s, static_cast<long long>(events), w.drained_s,
                static_cast<double>(events) / w.drained_s);
  } else {
    std::printf("drained: NO, backlog left after %d s\n", o.watch.drain_s);
  }
  std::printf("backlog at end: XLEN %lld, pending %lld\n",
              static_cast<long long>(end.stream_length), static_cast<long long>(end.pending));

  std::vector<double> all;
  std::vector<double> by_stage[kStages];
  int64_t unseen = 0;
  for (const Sample& s : samples) {
    for (int k = 0; k < kStages; ++k) {
      if (!s.has_added[k]) continue;
      const double lag = LagMs(s, k);
      if (std::isinf(lag)) ++unseen;
      all.push_back(lag);
      by_stage[k].push_back(lag);
    }
  }
  std::printf("lag XADD -> visible in PostgreSQL, %zu messages sampled (1 in %d), %zu events, "
              "%lld never seen; poll every %d ms, slowest poll %.0f ms:\n",
              samples.size(), o.load.sample_every, all.size(), static_cast<long long>(unseen),
              o.watch.poll_ms, w.poll_ms_max);
  std::printf("  all events  %s\n", LagSummary(all).c_str());
  for (int k = 0; k < kStages; ++k) {
    std::printf("  %-11s %s\n", kStageNames[k], LagSummary(by_stage[k]).c_str());
  }

  // Per second: what was added, what was written, the backlog and the lag of the events added
  // in that second.
  std::vector<std::vector<double>> lag_by_second(w.ticks.size() + 1);
  for (const Sample& s : samples) {
    for (int k = 0; k < kStages; ++k) {
      if (!s.has_added[k]) continue;
      const auto sec = static_cast<size_t>(
          std::max(0.0, std::chrono::duration<double>(s.added[k] - start).count()));
      if (sec < lag_by_second.size()) lag_by_second[sec].push_back(LagMs(s, k));
    }
  }
  std::printf("%6s %10s %10s %9s %9s %9s %11s\n", "t s", "added/s", "written/s", "rows/s", "XLEN",
              "pending", "lag p99 ms");
  for (size_t i = 0; i < w.ticks.size(); ++i) {
    const Tick& t = w.ticks[i];
    const Tick prev = i > 0 ? w.ticks[i - 1] : Tick{};
    const double span = t.t_s - prev.t_s;
    if (span <= 0) continue;
    const double rows = static_cast<double>(t.rows_inserted + t.rows_updated -
                                            prev.rows_inserted - prev.rows_updated);
    std::vector<double>& lags = lag_by_second[std::min(i, lag_by_second.size() - 1)];
    std::sort(lags.begin(), lags.end());
    std::printf("%6.1f %10.0f %10.0f %9.0f %9lld %9lld %11s\n", t.t_s,
                static_cast<double>(t.events_added - prev.events_added) / span,
                static_cast<double>((t.events_added - t.stream_length) -
                                    (prev.events_added - prev.stream_length)) /
                    span,
                i > 0 ? rows / span : 0.0, static_cast<long long>(t.stream_length),
                static_cast<long long>(t.pending),
                lags.empty() ? "-" : Ms(Quantile(lags, 0.99)).c_str());
  }

  if (all.empty()) return 1;
  std::sort(all.begin(), all.end());
  const bool ok = w.drained_s >= 0 && Quantile(all, 0.99) <= o.target_p99_ms;
  std::printf("%s: p99 %s ms (target %d ms)%s\n", ok ? "PASS" : "FAIL",
              Ms(Quantile(all, 0.99)).c_str(), o.target_p99_ms,
              w.drained_s >= 0 ? "" : ", backlog not drained");
  return ok ? 0 : 1;
}

void DeleteRows(const std::string& dsn, int64_t account_id) {
  try {
    pqxx::connection db(dsn);
    pqxx::nontransaction tx(db);
    const pqxx::result r =
        tx.exec_params("DELETE FROM messages WHERE account_id = $1", account_id);
    std::printf("removed the %zu benchmark rows of account %lld\n",
                static_cast<size_t>(r.affected_rows()), static_cast<long long>(account_id));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "removing the benchmark rows: %s\n", e.what());
  }
}

int Main(int argc, char** argv) {
  Options o;
  CLI::App app{"Measures how far smsgw-report trails ev:report under a steady load."};
  app.add_option("--redis-port", o.redis_port, "Redis on 127.0.0.1")->capture_default_str();
  app.add_option("--pg-dsn", o.watch.pg_dsn, "PostgreSQL holding messages (loopback)")->required();
  app.add_option("--stream", o.load.stream, "the report's stream")->capture_default_str();
  app.add_option("--group", o.watch.group, "the report's consumer group")->capture_default_str();
  app.add_option("--rate", o.load.rate, "messages accepted per second (3 events each)")
      ->check(CLI::Range(1, 100'000))
      ->capture_default_str();
  app.add_option("--seconds", o.load.seconds, "how long messages are accepted")
      ->check(CLI::Range(1, 600))
      ->capture_default_str();
  app.add_option("--submit-ms", o.load.submit_ms, "mean delay accepted -> submitted")
      ->check(CLI::Range(0, 60'000))
      ->capture_default_str();
  app.add_option("--deliver-ms", o.load.deliver_ms, "mean delay accepted -> delivered")
      ->check(CLI::Range(0, 60'000))
      ->capture_default_str();
  app.add_option("--sample-every", o.load.sample_every, "watch every n-th message")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  app.add_option("--poll-ms", o.watch.poll_ms, "how often PostgreSQL is polled")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--drain-seconds", o.watch.drain_s, "wait at most this long for the backlog")
      ->check(CLI::Range(1, 600))
      ->capture_default_str();
  app.add_option("--target-p99-ms", o.target_p99_ms, "exit 1 when p99 lag is above it")
      ->capture_default_str();
  app.add_option("--account", o.load.account_id, "account of the messages (default: random)");
  app.add_flag("--keep-rows", o.keep_rows, "leave the benchmark's rows in messages");
  CLI11_PARSE(app, argc, argv);
  if (!IsLoopbackDsn(o.watch.pg_dsn)) {
    std::fprintf(stderr, "--pg-dsn must name a loopback host\n");
    return 2;
  }
  o.watch.stream = o.load.stream;
  if (o.load.account_id == 0) {
    // Far above any real account, so the rows can be told apart and removed.
    o.load.account_id = 9'000'000'000 + static_cast<int64_t>(std::random_device{}() % 1'000'000);
  }
  config::RedisConfig redis;
  redis.host = "127.0.0.1";
  redis.port = o.redis_port;
  redis.timeout_ms = 10'000;

  SampleBook book;
  LoadCounters counters;
  std::atomic<bool> stop{false};
  Status load_status;
  const Clock::time_point start = Clock::now();
  std::thread loader([&] {
    load_status = RunLoad(o.load, redis, &book, &counters, &stop);
    counters.done = true;
  });
  Result<WatchResult> watched = RunWatch(o.watch, redis, &book, &counters, &stop);
  stop = true;
  loader.join();
  if (!load_status.ok()) {
    std::fprintf(stderr, "load: %s\n", load_status.ToString().c_str());
    return 1;
  }
  if (!watched.ok()) {
    std::fprintf(stderr, "watch: %s\n", watched.status().ToString().c_str());
    return 1;
  }
  const int code = Report(o, counters, watched.value(), book.Snapshot(), start);
  if (!o.keep_rows) DeleteRows(o.watch.pg_dsn, o.load.account_id);
  return code;
}

}  // namespace
}  // namespace smsgw::bench

int main(int argc, char** argv) { return smsgw::bench::Main(argc, argv); }
