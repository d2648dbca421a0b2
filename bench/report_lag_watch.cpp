#include "report_lag_watch.h"

#include <pqxx/pqxx>
#include <thread>
#include <unordered_map>

#include "redis/redis.h"

namespace smsgw::bench {
namespace {

using std::chrono::milliseconds;

// More ids per poll would make the poll itself a load on PostgreSQL; the rest (the youngest:
// the oldest outstanding are polled first) wait a turn.
constexpr size_t kMaxIdsPerPoll = 200;

// Its backends are told apart from the report's by this (bench/report_lag_run counts their CPU
// time separately).
constexpr const char* kApplicationName = "smsgw-bench-report-lag";

// The created_at range lets PostgreSQL read only the partition(s) of the sampled messages.
constexpr const char* kStatusQuery = R"SQL(
SELECT id::text, status FROM messages
WHERE id = ANY($1::uuid[])
  AND created_at BETWEEN TIMESTAMPTZ 'epoch' + $2::bigint * INTERVAL '1 millisecond'
                     AND TIMESTAMPTZ 'epoch' + $3::bigint * INTERVAL '1 millisecond'
)SQL";

constexpr const char* kRowCounters = R"SQL(
SELECT COALESCE(sum(n_tup_ins), 0)::bigint, COALESCE(sum(n_tup_upd), 0)::bigint,
       COALESCE(sum(n_tup_hot_upd), 0)::bigint
FROM pg_stat_user_tables WHERE relname LIKE 'messages\_%'
)SQL";

Stage StageOf(const std::string& status) {
  if (status == "accepted") return kAccepted;
  if (status == "submitted") return kSubmitted;
  return kDelivered;  // every final status
}

std::string UuidArray(const std::vector<std::pair<size_t, std::string>>& ids) {
  std::string out = "{";
  for (const auto& [index, id] : ids) {
    if (out.size() > 1) out += ',';
    out += id;
  }
  return out + "}";
}

std::string WithApplicationName(const std::string& dsn) {
  if (dsn.find("://") == std::string::npos) {
    return dsn + " application_name=" + kApplicationName;
  }
  return dsn + (dsn.find('?') == std::string::npos ? "?" : "&") + "application_name=" +
         kApplicationName;
}

double Seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

Result<WatchResult> RunWatch(const WatchOptions& o, const config::RedisConfig& redis_config,
                             SampleBook* book, const LoadCounters* load,
                             const std::atomic<bool>* stop) {
  Result<std::unique_ptr<redis::Connection>> conn = redis::Connection::Open(redis_config);
  if (!conn.ok()) return conn.status();
  redis::Connection& redis = *conn.value();
  std::unique_ptr<pqxx::connection> db;
  try {
    db = std::make_unique<pqxx::connection>(WithApplicationName(o.pg_dsn));
    db->prepare("statuses", kStatusQuery);
    db->prepare("row_counters", kRowCounters);
  } catch (const std::exception& e) {
    return Status::Unavailable(std::string("postgres: ") + e.what());
  }

  WatchResult result;
  const Clock::time_point start = Clock::now();
  Clock::time_point next_tick = start + milliseconds(1000);
  Clock::time_point load_end{};
  bool drained = false;
  try {
    while (!stop->load()) {
      const Clock::time_point poll_start = Clock::now();
      int64_t min_created = 0;
      int64_t max_created = 0;
      const auto outstanding = book->Outstanding(kMaxIdsPerPoll, &min_created, &max_created);
      if (!outstanding.empty()) {
        std::unordered_map<std::string, size_t> index;
        for (const auto& [i, id] : outstanding) index.emplace(id, i);
        pqxx::nontransaction tx(*db);
        pqxx::result rows = tx.exec_prepared("statuses", UuidArray(outstanding), min_created, max_created);
        const Clock::time_point at = Clock::now();
        for (const auto& row : rows) {
          auto it = index.find(row[0].as<std::string>());
          if (it != index.end()) book->Seen(it->second, StageOf(row[1].as<std::string>()), at);
        }
        ++result.polls;
        result.poll_ms_max =
            std::max(result.poll_ms_max, 1000.0 * Seconds(poll_start, Clock::now()));
      }

      const Clock::time_point now = Clock::now();
      const bool load_done = load->done.load();
      if (load_done && load_end == Clock::time_point{}) {
        load_end = now;
        result.load_end_s = Seconds(start, now);
      }
      if (now >= next_tick || load_done) {
        Tick t;
        t.t_s = Seconds(start, now);
        t.events_added = load->events.load();
        Result<std::vector<redis::Reply>> r = redis.Pipeline(
            {{"XLEN", o.stream}, {"XPENDING", o.stream, o.group}});
        if (!r.ok()) return r.status();
        t.stream_length = (*r)[0].integer;
        const redis::Reply& pending = (*r)[1];
        t.pending = pending.elements.empty() ? 0 : pending.elements[0].integer;
        if (now >= next_tick) {
          pqxx::nontransaction tx(*db);
          pqxx::row c = tx.exec_prepared1("row_counters");
          t.rows_inserted = c[0].as<int64_t>();
          t.rows_updated = c[1].as<int64_t>();
          t.rows_hot_updated = c[2].as<int64_t>();
          result.ticks.push_back(t);
          next_tick += milliseconds(1000);
        }
        if (load_done && !drained && t.stream_length == 0 && t.pending == 0) {
          drained = true;
          result.drained_s = t.t_s;
        }
      }
      if (load_done && drained && book->AllSeen()) break;
      if (load_done && now >= load_end + std::chrono::seconds(o.drain_s)) break;
      // At least as long as the poll took: the watcher never keeps a backend busy more than
      // half the time, however far behind the report is.
      std::this_thread::sleep_until(
          std::max(poll_start + milliseconds(o.poll_ms), now + (now - poll_start)));
    }
    // The last counters, once PostgreSQL has published them (backends report about once a
    // second), for the totals.
    std::this_thread::sleep_for(milliseconds(1100));
    Tick t;
    t.t_s = Seconds(start, Clock::now());
    t.events_added = load->events.load();
    pqxx::nontransaction tx(*db);
    pqxx::row c = tx.exec_prepared1("row_counters");
    t.rows_inserted = c[0].as<int64_t>();
    t.rows_updated = c[1].as<int64_t>();
    t.rows_hot_updated = c[2].as<int64_t>();
    Result<std::vector<redis::Reply>> r =
        redis.Pipeline({{"XLEN", o.stream}, {"XPENDING", o.stream, o.group}});
    if (!r.ok()) return r.status();
    t.stream_length = (*r)[0].integer;
    t.pending = (*r)[1].elements.empty() ? 0 : (*r)[1].elements[0].integer;
    result.ticks.push_back(t);
  } catch (const std::exception& e) {
    return Status::Unavailable(std::string("postgres: ") + e.what());
  }
  return result;
}

}  // namespace smsgw::bench
