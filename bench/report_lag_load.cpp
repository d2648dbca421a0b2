#include "report_lag_load.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <queue>
#include <random>
#include <thread>
#include <vector>

#include "proto/smsgw.pb.h"
#include "redis/redis.h"
#include "sms/uuid7.h"

namespace smsgw::bench {
namespace {

using std::chrono::milliseconds;

// A later event of a message, waiting for its time.
struct Due {
  Clock::time_point at;
  std::string id;
  int64_t created_ms = 0;
  Stage stage = kSubmitted;
  int64_t sample = -1;  // index in the SampleBook, -1 when not watched
  bool operator>(const Due& o) const { return at > o.at; }
};

int64_t WallMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The events as the daemons write them (daemons/api/send.cpp, daemons/sched/outcomes.cpp).
v1::StatusEvent AcceptedEvent(const std::string& id, int64_t created_ms, int64_t account_id,
                              uint64_t n) {
  v1::StatusEvent e;
  e.set_message_id(id);
  e.set_account_id(account_id);
  e.set_status(v1::STATUS_ACCEPTED);
  e.set_at_ms(created_ms);
  e.set_to("+98912" + std::to_string(1'000'000 + n % 9'000'000));
  e.set_from("SMSGW");
  e.set_encoding(v1::ENCODING_GSM7);
  e.set_segments(1);
  e.set_cost(10);
  e.set_priority(v1::PRIORITY_NORMAL);
  if (n % 4 == 0) e.set_client_ref("bench-" + std::to_string(n));
  return e;
}

v1::StatusEvent LaterEvent(const Due& d, int64_t account_id) {
  v1::StatusEvent e;
  e.set_message_id(d.id);
  e.set_account_id(account_id);
  e.set_status(d.stage == kSubmitted ? v1::STATUS_SUBMITTED : v1::STATUS_DELIVERED);
  e.set_at_ms(WallMs());
  if (d.stage == kSubmitted) {
    e.set_operator_name("sim");
    char op_id[17];
    std::snprintf(op_id, sizeof op_id, "%016llx",
                  static_cast<unsigned long long>(std::hash<std::string>{}(d.id)));
    e.set_operator_message_id(op_id);
  }
  return e;
}

}  // namespace

Status RunLoad(const LoadOptions& o, const config::RedisConfig& redis_config, SampleBook* book,
               LoadCounters* counters, const std::atomic<bool>* stop) {
  Result<std::unique_ptr<redis::Connection>> conn = redis::Connection::Open(redis_config);
  if (!conn.ok()) return conn.status();
  redis::Connection& redis = *conn.value();

  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> spread(0.5, 1.5);
  std::priority_queue<Due, std::vector<Due>, std::greater<>> later;

  const Clock::time_point start = Clock::now();
  const Clock::time_point accept_until = start + std::chrono::seconds(o.seconds);
  const auto total_messages = static_cast<int64_t>(o.rate) * o.seconds;
  int64_t made = 0;

  std::vector<redis::Command> pipeline;
  std::vector<std::pair<size_t, Stage>> sampled;  // watched events of the current pipeline
  auto add = [&](const v1::StatusEvent& e, Clock::time_point due, int64_t sample, Stage stage) {
    pipeline.push_back({"XADD", o.stream, "*", "e", e.SerializeAsString()});
    if (sample >= 0) sampled.emplace_back(static_cast<size_t>(sample), stage);
    const auto late =
        std::chrono::duration_cast<milliseconds>(Clock::now() - due).count();
    if (late > counters->late_ms) counters->late_ms = late;
  };

  while (!stop->load()) {
    const Clock::time_point now = Clock::now();
    // Accepted events: as many as the rate says by now, spread evenly over the run.
    if (made < total_messages) {
      const double elapsed = std::chrono::duration<double>(now - start).count();
      const int64_t target = std::min<int64_t>(
          total_messages, static_cast<int64_t>(elapsed * o.rate) + 1);
      while (made < target && static_cast<int>(pipeline.size()) < o.max_pipeline) {
        const std::string id = sms::NewUuidV7();
        const int64_t created_ms = sms::UuidV7TimeMs(id).value();
        const uint64_t n = static_cast<uint64_t>(made);
        int64_t sample = -1;
        if (made % o.sample_every == 0) sample = static_cast<int64_t>(book->Add(id, created_ms));
        const Clock::time_point due =
            start + std::chrono::nanoseconds(static_cast<int64_t>(1e9 * made / o.rate));
        add(AcceptedEvent(id, created_ms, o.account_id, n), due, sample, kAccepted);
        const auto after = [&](int mean_ms) {
          return now + std::chrono::microseconds(static_cast<int64_t>(1000.0 * mean_ms * spread(rng)));
        };
        later.push(Due{after(o.submit_ms), id, created_ms, kSubmitted, sample});
        later.push(Due{after(o.deliver_ms), id, created_ms, kDelivered, sample});
        ++made;
      }
      if (made >= total_messages || now >= accept_until) counters->accepting_done = true;
    }
    while (!later.empty() && later.top().at <= now &&
           static_cast<int>(pipeline.size()) < o.max_pipeline) {
      const Due& d = later.top();
      add(LaterEvent(d, o.account_id), d.at, d.sample, d.stage);
      later.pop();
    }

    if (!pipeline.empty()) {
      const Clock::time_point sent = Clock::now();
      for (const auto& [index, stage] : sampled) book->Added(index, stage, sent);
      Result<std::vector<redis::Reply>> r = redis.Pipeline(pipeline);
      if (!r.ok()) return r.status();
      for (const redis::Reply& reply : r.value()) {
        if (reply.is_error()) return Status::Internal("XADD: " + reply.str);
      }
      counters->events += static_cast<int64_t>(pipeline.size());
      counters->messages = made;
      ++counters->pipelines;
      pipeline.clear();
      sampled.clear();
      continue;  // more may be due already
    }
    if (made >= total_messages && later.empty()) break;
    // Nothing due: wait for the next accepted message or later event, at most a millisecond.
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  counters->messages = made;
  counters->accepting_done = true;
  counters->done = true;
  return Status::Ok();
}

}  // namespace smsgw::bench
