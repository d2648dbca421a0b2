#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "config/config.h"
#include "keys/keys.h"
#include "redis/redis.h"
#include "writer.h"

namespace smsgw::report {

struct ConsumerOptions {
  std::string stream = keys::kReportEvents;
  std::string group = keys::kReportGroup;
  std::string consumer;  // this instance's name in the group; never empty
  int batch_max_rows = 1000;
  int batch_max_ms = 200;
  // Entries pending this long under another consumer are taken over (XAUTOCLAIM).
  int claim_idle_ms = 30'000;
  int claim_interval_ms = 30'000;
  // Partitions are prepared (1 day back, 7 ahead) and expired ones dropped this often.
  int maintenance_interval_ms = 3'600'000;
  int retention_days = 90;
};

// One entry of ev:report as read or claimed.
struct StreamEntry {
  std::string id;
  std::string payload;  // field "e"
  bool has_payload = false;
};

// [report] of the config; consumer defaults to "<hostname>-<pid>".
ConsumerOptions OptionsFromConfig(const config::ReportConfig& config);

// What the consumer has done since it started; read from any thread.
struct ConsumerStats {
  std::atomic<int64_t> entries_read{0};     // stream entries taken, claimed ones included
  std::atomic<int64_t> entries_claimed{0};  // of which taken over from other consumers
  std::atomic<int64_t> entries_dropped{0};  // undecodable, acked and deleted unwritten
  std::atomic<int64_t> events_written{0};   // events whose batch was committed
  std::atomic<int64_t> rows_written{0};     // rows upserted (one per message per batch)
  std::atomic<int64_t> batches_written{0};
  std::atomic<int64_t> write_failures{0};  // failed batch attempts, each retried
};

// The loop of smsgw-report: reads ev:report in the consumer group, batches entries for up to
// batch_max_ms / batch_max_rows, writes each batch with the BatchWriter and acks + deletes its
// entries only after the commit. A failed write is retried after a backoff, never acked.
//
// Threads: Run() on one thread; Stop() and stats() from any other.
class StreamConsumer {
 public:
  // `writer` must outlive the consumer.
  StreamConsumer(ConsumerOptions options, config::RedisConfig redis, BatchWriter* writer);
  ~StreamConsumer();

  // Connects and creates the group (XGROUP CREATE ... MKSTREAM; an existing group is fine).
  Status Init();

  // Loops until Stop(). On the way out a batch being gathered gets one write attempt; if that
  // fails (or the stop came during a retry's backoff) its entries stay pending, unacked, for
  // another consumer or the next start to claim. Errors are logged and retried, never returned.
  void Run();
  void Stop();

  const ConsumerOptions& options() const { return options_; }
  const ConsumerStats& stats() const { return stats_; }

 private:
  using Clock = std::chrono::steady_clock;

  Status EnsureGroup();
  // One turn of the loop: (re)connects, runs due maintenance and claims, then reads new entries
  // into batch_ until it is full or its time is up. A Redis failure is returned.
  Status Gather();
  // batch_ is full or batch_max_ms old.
  bool BatchDue() const;
  // XREADGROUP ... > into batch_, blocking at most `block_ms`.
  Status ReadNew(int count, int block_ms);
  // One XAUTOCLAIM step into batch_; advances claim_cursor_.
  Status Claim(int count);
  // Decodes, writes (retrying until it succeeds or the consumer stops) and acks batch_.
  // `final_attempt`: one try only (shutdown). Clears batch_ unless it was abandoned.
  void Flush(bool final_attempt);
  void Ack(const std::vector<std::string>& ids);
  void Maintain();
  // Sleeps up to `ms` or until Stop(); false when stopping.
  bool Sleep(int ms);
  void Forget();  // XGROUP DELCONSUMER on a clean stop, when nothing is left pending

  ConsumerOptions options_;
  config::RedisConfig redis_config_;
  BatchWriter* writer_;
  std::unique_ptr<redis::Connection> redis_;
  ConsumerStats stats_;

  std::vector<StreamEntry> batch_;
  Clock::time_point batch_started_;
  std::string claim_cursor_ = "0-0";
  Clock::time_point next_claim_;
  Clock::time_point next_maintenance_;

  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace smsgw::report
