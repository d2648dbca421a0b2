#include "consumer.h"

#include <spdlog/fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "event.h"
#include "daemon/heartbeat.h"

namespace smsgw::report {
namespace {

// A blocking read never waits longer than this, so Stop() is seen within about a second.
constexpr int kMaxBlockMs = 1000;
constexpr int kMaxBackoffMs = 5000;
// After this many failed tries of one batch (PostgreSQL reachable), its rows are written one by
// one and those whose data PostgreSQL refuses are skipped: one bad row must not wedge the stream.
constexpr int kIsolateAfterAttempts = 3;
constexpr int kMaintenanceRetryMs = 60'000;
// A read that found fewer entries than this fraction of what it asked for finds the stream
// nearly empty: the next one waits a moment, so that entries arriving at a high rate come in
// reads of hundreds rather than a few each (every read costs a round trip and Redis time).
constexpr int kShortReadFraction = 4;
constexpr auto kShortReadPause = std::chrono::milliseconds(5);
// How long the reader waits for room before looking at maintenance, claims and Stop() again.
constexpr auto kRoomWait = std::chrono::milliseconds(100);

int Backoff(int attempt) {
  int ms = 100;
  for (int i = 1; i < attempt && ms < kMaxBackoffMs; ++i) ms *= 2;
  return std::min(ms, kMaxBackoffMs);
}

int64_t MicrosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

bool Contains(const Status& s, std::string_view what) {
  return s.message().find(what) != std::string::npos;
}

// Appends [[id, [field, value, ...] or nil], ...] to `out`, taking field "e".
void ParseEntries(const redis::Reply& list, std::vector<StreamEntry>* out) {
  for (const redis::Reply& item : list.elements) {
    if (item.elements.empty()) continue;
    StreamEntry entry;
    entry.id = item.elements[0].str;
    if (item.elements.size() > 1) {
      const auto& fields = item.elements[1].elements;
      for (size_t i = 0; i + 1 < fields.size(); i += 2) {
        if (fields[i].str == keys::kPayloadField) {
          entry.payload = fields[i + 1].str;
          entry.has_payload = true;
        }
      }
    }
    out->push_back(std::move(entry));
  }
}

}  // namespace

ConsumerOptions OptionsFromConfig(const config::ReportConfig& config) {
  ConsumerOptions o;
  o.consumer = config.consumer;
  if (o.consumer.empty()) {
    char host[256] = {};
    if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
    o.consumer = std::string(host[0] != '\0' ? host : "report") + "-" + std::to_string(getpid());
  }
  o.batch_max_rows = std::max(1, config.batch_max_rows);
  o.batch_max_ms = std::max(1, config.batch_max_ms);
  o.retention_days = config.retention_days;
  return o;
}

StreamConsumer::StreamConsumer(ConsumerOptions options, config::RedisConfig redis,
                               BatchWriter* writer)
    : options_(std::move(options)), redis_config_(std::move(redis)), writer_(writer) {
  // The socket timeout must outlast the longest XREADGROUP BLOCK.
  redis_config_.timeout_ms = std::max(redis_config_.timeout_ms, kMaxBlockMs + 2000);
  options_.batch_max_rows = std::max(1, options_.batch_max_rows);
  if (options_.batch_max_rows_under_load <= 0) {
    options_.batch_max_rows_under_load = 10 * options_.batch_max_rows;
  }
  options_.batch_max_rows_under_load =
      std::max(options_.batch_max_rows_under_load, options_.batch_max_rows);
  options_.read_count = std::max(1, options_.read_count);
}

StreamConsumer::~StreamConsumer() = default;

Status StreamConsumer::Init() {
  if (!redis_) {
    Result<std::unique_ptr<redis::Connection>> c = redis::Connection::Open(redis_config_);
    if (!c.ok()) return c.status();
    redis_ = std::move(c).value();
  }
  return EnsureGroup();
}

Status StreamConsumer::EnsureGroup() {
  Result<redis::Reply> r =
      redis_->Run({"XGROUP", "CREATE", options_.stream, options_.group, "0", "MKSTREAM"});
  if (r.ok() || Contains(r.status(), "BUSYGROUP")) return Status::Ok();
  return r.status();
}

void StreamConsumer::Stop() {
  stopping_ = true;
  { std::lock_guard lock(mu_); }  // a Sleep() between its check and its wait sees the flag
  cv_.notify_all();
}

bool StreamConsumer::Sleep(int ms) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stopping_.load(); });
  return !stopping_;
}

void StreamConsumer::Run() {
  spdlog::info(
      "report: consuming {} as {}/{} (batches due at {} entries or {} ms, up to {} under load)",
      options_.stream, options_.group, options_.consumer, options_.batch_max_rows,
      options_.batch_max_ms, options_.batch_max_rows_under_load);
  slot_ = std::make_unique<BatchSlot>(options_.batch_max_rows,
                                      std::chrono::milliseconds(options_.batch_max_ms),
                                      options_.batch_max_rows_under_load);
  {
    std::lock_guard lock(ack_mu_);
    writer_done_ = false;
  }
  std::thread acker([this] { AckLoop(); });
  std::thread writer([this] { WriteLoop(); });

  next_claim_ = next_maintenance_ = Clock::now();
  int redis_failures = 0;
  daemon::Heartbeat heartbeat("report reader");
  while (!stopping_) {
    heartbeat.Beat();
    Status s = Gather();
    if (s.ok()) {
      if (redis_failures > 0) spdlog::info("report: redis is reachable again");
      redis_failures = 0;
      continue;
    }
    ++redis_failures;
    spdlog::warn("report: {}", s.message());
    if (!Sleep(Backoff(redis_failures))) break;
  }
  // What was gathered gets its one attempt; then the writer and the acker finish.
  slot_->Close();
  writer.join();
  acker.join();
  Forget();
  spdlog::info(
      "report: consumer stopped: {} entries read, {} rows in {} batches written; seconds spent "
      "reading {:.1f}, decoding {:.1f}, writing {:.1f}, acking {:.1f}",
      stats_.entries_read.load(), stats_.rows_written.load(), stats_.batches_written.load(),
      stats_.read_us.load() / 1e6, stats_.decode_us.load() / 1e6, stats_.write_us.load() / 1e6,
      stats_.ack_us.load() / 1e6);
}

Status StreamConsumer::Gather() {
  if (!redis_) {
    if (Status s = Init(); !s.ok()) return s;
  }
  if (Clock::now() >= next_maintenance_) Maintain();
  // While the slot is full the writer is busy: the entries wait in Redis.
  const auto room = static_cast<int>(
      std::min<size_t>(slot_->WaitForRoom(kRoomWait), static_cast<size_t>(options_.read_count)));
  if (room <= 0) return Status::Ok();
  if (Clock::now() >= next_claim_ && !write_failing_ && MayClaim()) {
    if (Status s = Claim(room); !s.ok()) return s;
  }
  int got = 0;
  if (Status s = ReadNew(room, kMaxBlockMs, &got); !s.ok()) return s;
  if (got > 0 && got < room / kShortReadFraction) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, kShortReadPause, [&] { return stopping_.load(); });
  }
  return Status::Ok();
}

Status StreamConsumer::ReadNew(int count, int block_ms, int* got) {
  const auto started = Clock::now();
  Result<redis::Reply> r = redis_->Run({"XREADGROUP", "GROUP", options_.group, options_.consumer,
                                        "COUNT", std::to_string(count), "BLOCK",
                                        std::to_string(block_ms), "STREAMS", options_.stream, ">"});
  stats_.read_us += MicrosSince(started);
  if (!r.ok()) {
    // The stream (and its group) was deleted under us: create them again and carry on.
    if (Contains(r.status(), "NOGROUP")) return EnsureGroup();
    return r.status();
  }
  if (r->is_nil()) return Status::Ok();  // BLOCK timed out
  std::vector<StreamEntry> entries;
  for (const redis::Reply& stream : r->elements) {
    if (stream.elements.size() == 2) ParseEntries(stream.elements[1], &entries);
  }
  *got = static_cast<int>(entries.size());
  stats_.entries_read += static_cast<int64_t>(entries.size());
  Gathered(std::move(entries));
  return Status::Ok();
}

Status StreamConsumer::Claim(int count) {
  Result<redis::Reply> r = redis_->Run({"XAUTOCLAIM", options_.stream, options_.group,
                                        options_.consumer, std::to_string(options_.claim_idle_ms),
                                        claim_cursor_, "COUNT", std::to_string(count)});
  if (!r.ok()) {
    if (Contains(r.status(), "NOGROUP")) return EnsureGroup();
    return r.status();
  }
  if (r->elements.size() < 2) return Status::Internal("redis XAUTOCLAIM: unexpected reply");
  std::vector<StreamEntry> claimed;
  ParseEntries(r->elements[1], &claimed);
  if (!claimed.empty()) {
    spdlog::info("report: took over {} pending entries of other consumers", claimed.size());
    stats_.entries_read += static_cast<int64_t>(claimed.size());
    stats_.entries_claimed += static_cast<int64_t>(claimed.size());
    Gathered(std::move(claimed));
  }
  // A cursor other than 0-0 means more pending entries lie beyond: claim again next turn.
  claim_cursor_ = r->elements[0].str;
  if (claim_cursor_ == "0-0") {
    next_claim_ = Clock::now() + std::chrono::milliseconds(options_.claim_interval_ms);
  }
  return Status::Ok();
}

bool StreamConsumer::MayClaim() const {
  const Clock::time_point now = Clock::now();
  const auto idle = std::chrono::milliseconds(options_.claim_idle_ms);
  if (std::optional<Clock::time_point> gathered = slot_->oldest(); gathered && now - *gathered >= idle) return false;
  const int64_t writing = writing_since_.load();
  return writing == 0 || now - Clock::time_point(Clock::duration(writing)) < idle;
}

void StreamConsumer::Gathered(std::vector<StreamEntry> entries) {
  if (entries.empty()) return;
  const auto started = Clock::now();
  std::vector<std::string> ids;
  std::vector<v1::StatusEvent> events;
  ids.reserve(entries.size());
  events.reserve(entries.size());
  std::vector<std::string> repaired;
  for (StreamEntry& entry : entries) {
    Result<v1::StatusEvent> event =
        entry.has_payload ? DecodeEvent(entry.payload, &repaired)
                          : Result<v1::StatusEvent>(
                                Status::InvalidArgument("no field \"e\" (deleted while pending?)"));
    if (event.ok()) {
      if (!repaired.empty()) {
        spdlog::warn("report: entry {} (message {}): {} not UTF-8, written with \\xNN escapes",
                     entry.id, event->message_id(), fmt::join(repaired, ", "));
        ++stats_.entries_repaired;
      }
      events.push_back(std::move(event).value());
    } else {
      spdlog::warn("report: dropping entry {}: {}", entry.id, event.status().message());
      ++stats_.entries_dropped;
    }
    ids.push_back(std::move(entry.id));
  }
  stats_.decode_us += MicrosSince(started);
  slot_->Append(std::move(ids), std::move(events));
}

void StreamConsumer::WriteLoop() {
  while (std::optional<Batch> batch = slot_->Take()) {
    writing_since_ = batch->started.time_since_epoch().count();
    const bool written = WriteBatch(*batch);
    // Acking takes a round trip; a batch stuck longer in the acker may be claimed and written
    // again, which changes nothing.
    writing_since_ = 0;
    if (!written) continue;
    {
      std::lock_guard lock(ack_mu_);
      acks_.push_back(std::move(batch->ids));
    }
    ack_cv_.notify_one();
  }
  {
    std::lock_guard lock(ack_mu_);
    writer_done_ = true;
  }
  ack_cv_.notify_one();
}

bool StreamConsumer::WriteBatch(const Batch& batch) {
  const auto started = Clock::now();
  const std::vector<MessageUpdate> updates = Coalesce(batch.events);
  for (int attempt = 1;; ++attempt) {
    Status s = writer_->Write(updates);
    if (!s.ok() && attempt > kIsolateAfterAttempts && s.code() != ErrorCode::kUnavailable) {
      std::vector<std::string> rejected;
      s = writer_->WriteEach(updates, &rejected);
      stats_.entries_dropped += static_cast<int64_t>(rejected.size());
    }
    if (s.ok()) break;
    ++stats_.write_failures;
    write_failing_ = true;
    if (stopping_) {
      spdlog::warn("report: leaving a batch of {} entries unacked on the way out: {}",
                   batch.ids.size(), s.message());
      return false;
    }
    const int delay = Backoff(attempt);
    spdlog::error("report: writing a batch of {} rows failed (attempt {}), retrying in {} ms: {}",
                  updates.size(), attempt, delay, s.message());
    if (!Sleep(delay)) {
      spdlog::warn("report: leaving a batch of {} entries unacked on the way out",
                   batch.ids.size());
      return false;
    }
  }
  write_failing_ = false;
  const int64_t write_us = MicrosSince(started);
  stats_.write_us += write_us;
  stats_.events_written += static_cast<int64_t>(batch.events.size());
  stats_.rows_written += static_cast<int64_t>(updates.size());
  ++stats_.batches_written;
  metrics_.Written(updates.size(), Clock::now() - started);
  spdlog::debug("report: wrote {} events as {} rows in {} ms ({} ms after its first entry came)",
                batch.events.size(), updates.size(), write_us / 1000,
                std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() -
                                                                      batch.started)
                    .count());
  return true;
}

void StreamConsumer::AckLoop() {
  std::unique_ptr<redis::Connection> redis;
  while (true) {
    std::vector<std::string> ids;
    {
      std::unique_lock lock(ack_mu_);
      ack_cv_.wait(lock, [&] { return !acks_.empty() || writer_done_; });
      if (acks_.empty()) return;
      ids = std::move(acks_.front());
      acks_.pop_front();
    }
    const auto started = Clock::now();
    if (!redis) {
      Result<std::unique_ptr<redis::Connection>> c = redis::Connection::Open(redis_config_);
      if (c.ok()) {
        redis = std::move(c).value();
      } else {
        spdlog::warn("report: acking {} written entries: {}", ids.size(), c.status().message());
      }
    }
    if (redis) Ack(*redis, ids);
    stats_.ack_us += MicrosSince(started);
  }
}

void StreamConsumer::Ack(redis::Connection& redis, const std::vector<std::string>& ids) {
  // Unacked entries are claimed again later and written once more, which changes nothing.
  redis::Command ack{"XACK", options_.stream, options_.group};
  redis::Command del{"XDEL", options_.stream};
  ack.insert(ack.end(), ids.begin(), ids.end());
  del.insert(del.end(), ids.begin(), ids.end());
  Result<std::vector<redis::Reply>> r = redis.Pipeline({ack, del});
  if (!r.ok()) {
    spdlog::warn("report: acking {} written entries failed: {}", ids.size(), r.status().message());
    return;
  }
  for (const redis::Reply& reply : r.value()) {
    if (reply.is_error()) spdlog::warn("report: acking written entries: {}", reply.str);
  }
}

void StreamConsumer::Maintain() {
  Status s = writer_->EnsurePartitions(1, 7);
  Result<std::vector<std::string>> dropped =
      s.ok() ? writer_->DropExpiredPartitions(options_.retention_days)
             : Result<std::vector<std::string>>(s);
  if (!dropped.ok()) {
    spdlog::warn("report: partition maintenance failed, again in a minute: {}",
                 dropped.status().message());
    next_maintenance_ = Clock::now() + std::chrono::milliseconds(kMaintenanceRetryMs);
    return;
  }
  if (Status p = writer_->PruneExpired(options_.retention_days); !p.ok()) {
    spdlog::warn("report: pruning old stats and callbacks: {}", p.message());
  }
  for (const std::string& name : dropped.value()) {
    spdlog::info("report: dropped partition {} (older than {} days)", name,
                 options_.retention_days);
  }
  next_maintenance_ = Clock::now() + std::chrono::milliseconds(options_.maintenance_interval_ms);
}

void StreamConsumer::Forget() {
  if (!redis_) return;
  // Entries left pending under this name must stay claimable, so only an empty name goes.
  Result<redis::Reply> pending =
      redis_->Run({"XPENDING", options_.stream, options_.group, "-", "+", "1", options_.consumer});
  if (!pending.ok() || !pending->elements.empty()) return;
  Result<redis::Reply> r =
      redis_->Run({"XGROUP", "DELCONSUMER", options_.stream, options_.group, options_.consumer});
  if (!r.ok()) spdlog::debug("report: XGROUP DELCONSUMER: {}", r.status().message());
}

}  // namespace smsgw::report
