#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "config/config.h"
#include "keys/keys.h"
#include "batch_slot.h"
#include "redis/redis.h"
#include "report_metrics.h"
#include "writer.h"

namespace smsgw::report {

struct ConsumerOptions {
  std::string stream = keys::kReportEvents;
  std::string group = keys::kReportGroup;
  std::string consumer;  // this instance's name in the group; never empty
  // A gathered batch is due for the writer once it holds batch_max_rows entries or its first
  // entry is batch_max_ms old, whichever comes first.
  int batch_max_rows = 5000;
  int batch_max_ms = 200;
  // While the writer is busy the batch keeps growing, up to this many entries (0: ten times
  // batch_max_rows); then reading waits. Larger batches under load mean fewer commits and more
  // events of one message in one row write.
  int batch_max_rows_under_load = 0;
  // Entries asked for per XREADGROUP at most.
  int read_count = 2000;
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
  std::atomic<int64_t> entries_dropped{0};  // unusable, acked and deleted unwritten
  std::atomic<int64_t> entries_repaired{0};  // written with text that was not UTF-8 escaped
  std::atomic<int64_t> events_written{0};   // events whose batch was committed
  std::atomic<int64_t> rows_written{0};     // rows upserted (one per message per batch)
  std::atomic<int64_t> batches_written{0};
  std::atomic<int64_t> write_failures{0};  // failed batch attempts, each retried
  // Where the time went, in microseconds: reading entries (the reading thread, waits included),
  // decoding them (same thread), coalescing and writing batches (the writer, retries included)
  // and acking them (the acker).
  std::atomic<int64_t> read_us{0};
  std::atomic<int64_t> decode_us{0};
  std::atomic<int64_t> write_us{0};
  std::atomic<int64_t> ack_us{0};
};

// The loop of smsgw-report, three threads passing batches along:
//  - the reader (Run's thread) reads ev:report in the consumer group, takes over entries other
//    consumers left pending, decodes them and gathers them in a BatchSlot;
//  - the writer takes each due batch, coalesces it and writes it in one transaction with the
//    BatchWriter, retrying a failed write after a backoff;
//  - the acker acks and deletes a batch's entries (XACK + XDEL, one pipeline) after its commit.
// So reading goes on while a batch is written, and a batch is written while the previous one
// is acked. One writer, not several: while it works the next batch grows, and a larger batch
// folds more events of one message into one row and costs PostgreSQL less per event.
//
// Threads: Run() on one thread (it starts and joins the others); Stop() and stats() from any
// other.
class StreamConsumer {
 public:
  // `writer` must outlive the consumer.
  StreamConsumer(ConsumerOptions options, config::RedisConfig redis, BatchWriter* writer);
  ~StreamConsumer();

  // Connects and creates the group (XGROUP CREATE ... MKSTREAM; an existing group is fine).
  Status Init();

  // Loops until Stop(). On the way out the batch being gathered gets one write attempt; if that
  // fails (or the stop came during a retry's backoff) its entries stay pending, unacked, for
  // another consumer or the next start to claim. Errors are logged and retried, never returned.
  void Run();
  void Stop();

  const ConsumerOptions& options() const { return options_; }
  const ConsumerStats& stats() const { return stats_; }

 private:
  using Clock = std::chrono::steady_clock;

  Status EnsureGroup();
  // One turn of the reading loop: (re)connects, runs due maintenance and claims, then reads new
  // entries into the slot. A Redis failure is returned.
  Status Gather();
  // XREADGROUP ... > of up to `count` entries, blocking at most `block_ms`; sets *got.
  Status ReadNew(int count, int block_ms, int* got);
  // One XAUTOCLAIM step of up to `count` entries; advances claim_cursor_.
  Status Claim(int count);
  // Decodes `entries` and appends them to the slot; undecodable ones are counted and logged
  // (acked with their batch, never written).
  void Gathered(std::vector<StreamEntry> entries);

  // The writer thread: takes batches until the slot is closed and empty.
  void WriteLoop();
  // Coalesces and writes `batch`, retrying until it succeeds or the consumer stops; true when
  // it was written (its ids then go to the acker).
  bool WriteBatch(const Batch& batch);
  // The acker thread: acks what the writer hands over until the writer is done.
  void AckLoop();
  void Ack(redis::Connection& redis, const std::vector<std::string>& ids);

  void Maintain();
  // Sleeps up to `ms` or until Stop(); false when stopping.
  bool Sleep(int ms);
  void Forget();  // XGROUP DELCONSUMER on a clean stop, when nothing is left pending

  ConsumerOptions options_;
  config::RedisConfig redis_config_;
  BatchWriter* writer_;
  std::unique_ptr<redis::Connection> redis_;  // the reading thread's
  std::unique_ptr<BatchSlot> slot_;
  ConsumerStats stats_;
  WriterMetrics metrics_;

  std::string claim_cursor_ = "0-0";
  Clock::time_point next_claim_;
  Clock::time_point next_maintenance_;

  // Written batches' ids, from the writer to the acker.
  std::mutex ack_mu_;
  std::condition_variable ack_cv_;
  std::deque<std::vector<std::string>> acks_;  // GUARDED_BY(ack_mu_)
  bool writer_done_ = false;                   // GUARDED_BY(ack_mu_)
  // Set while the writer retries a failed batch: no claims then, or the reader could take over
  // the writer's own entries once they have been pending for claim_idle_ms.
  std::atomic<bool> write_failing_{false};
  // When the batch the writer is writing started, as steady-clock ticks; 0 when it writes none.
  std::atomic<int64_t> writing_since_{0};
  // True when no entry this consumer holds (gathered or being written) was read as long as
  // claim_idle_ms ago: XAUTOCLAIM names no owner, so claiming then would take back this
  // consumer's own entries and write them twice, and a slow writer would slow itself further.
  bool MayClaim() const;

  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace smsgw::report
