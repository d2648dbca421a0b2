#include "consumer.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>

#include "event.h"

namespace smsgw::report {
namespace {

// A blocking read never waits longer than this, so Stop() is seen within about a second.
constexpr int kMaxBlockMs = 1000;
constexpr int kMaxBackoffMs = 5000;
// After this many failed tries of one batch (PostgreSQL reachable), its rows are written one by
// one and those whose data PostgreSQL refuses are skipped: one bad row must not wedge the stream.
constexpr int kIsolateAfterAttempts = 3;
constexpr int kMaintenanceRetryMs = 60'000;

int Backoff(int attempt) {
  int ms = 100;
  for (int i = 1; i < attempt && ms < kMaxBackoffMs; ++i) ms *= 2;
  return std::min(ms, kMaxBackoffMs);
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
  spdlog::info("report: consuming {} as {}/{} (batches of up to {} rows / {} ms)", options_.stream,
               options_.group, options_.consumer, options_.batch_max_rows, options_.batch_max_ms);
  next_claim_ = next_maintenance_ = Clock::now();
  int redis_failures = 0;
  while (!stopping_) {
    Status s = Gather();
    if (!s.ok()) {
      ++redis_failures;
      spdlog::warn("report: {}", s.message());
    } else if (redis_failures > 0) {
      spdlog::info("report: redis is reachable again");
      redis_failures = 0;
    }
    if (BatchDue()) {
      Flush(/*final_attempt=*/false);
    } else if (!s.ok() && !Sleep(Backoff(redis_failures))) {
      break;
    }
  }
  if (!batch_.empty()) Flush(/*final_attempt=*/true);
  Forget();
  spdlog::info("report: consumer stopped: {} entries read, {} rows in {} batches written",
               stats_.entries_read.load(), stats_.rows_written.load(),
               stats_.batches_written.load());
}

bool StreamConsumer::BatchDue() const {
  if (batch_.empty()) return false;
  return static_cast<int>(batch_.size()) >= options_.batch_max_rows ||
         Clock::now() >= batch_started_ + std::chrono::milliseconds(options_.batch_max_ms);
}

Status StreamConsumer::Gather() {
  if (!redis_) {
    if (Status s = Init(); !s.ok()) return s;
  }
  if (Clock::now() >= next_maintenance_) Maintain();
  auto room = [&] { return options_.batch_max_rows - static_cast<int>(batch_.size()); };
  if (room() > 0 && Clock::now() >= next_claim_) {
    if (Status s = Claim(room()); !s.ok()) return s;
  }
  if (room() <= 0) return Status::Ok();
  int block = kMaxBlockMs;
  if (!batch_.empty()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        batch_started_ + std::chrono::milliseconds(options_.batch_max_ms) - Clock::now());
    if (left.count() <= 0) return Status::Ok();
    block = static_cast<int>(std::min<int64_t>(left.count(), kMaxBlockMs));
  }
  return ReadNew(room(), block);
}

Status StreamConsumer::ReadNew(int count, int block_ms) {
  Result<redis::Reply> r = redis_->Run({"XREADGROUP", "GROUP", options_.group, options_.consumer,
                                        "COUNT", std::to_string(count), "BLOCK",
                                        std::to_string(block_ms), "STREAMS", options_.stream, ">"});
  if (!r.ok()) {
    // The stream (and its group) was deleted under us: create them again and carry on.
    if (Contains(r.status(), "NOGROUP")) return EnsureGroup();
    return r.status();
  }
  if (r->is_nil()) return Status::Ok();  // BLOCK timed out
  const size_t before = batch_.size();
  for (const redis::Reply& stream : r->elements) {
    if (stream.elements.size() == 2) ParseEntries(stream.elements[1], &batch_);
  }
  if (before == 0 && !batch_.empty()) batch_started_ = Clock::now();
  stats_.entries_read += static_cast<int64_t>(batch_.size() - before);
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
  const size_t before = batch_.size();
  ParseEntries(r->elements[1], &batch_);
  const auto claimed = static_cast<int64_t>(batch_.size() - before);
  if (claimed > 0) {
    if (before == 0) batch_started_ = Clock::now();
    spdlog::info("report: took over {} pending entries of other consumers", claimed);
    stats_.entries_read += claimed;
    stats_.entries_claimed += claimed;
  }
  // A cursor other than 0-0 means more pending entries lie beyond: claim again next turn.
  claim_cursor_ = r->elements[0].str;
  if (claim_cursor_ == "0-0") {
    next_claim_ = Clock::now() + std::chrono::milliseconds(options_.claim_interval_ms);
  }
  return Status::Ok();
}

void StreamConsumer::Flush(bool final_attempt) {
  std::vector<std::string> ids;
  std::vector<v1::StatusEvent> events;
  ids.reserve(batch_.size());
  events.reserve(batch_.size());
  for (const StreamEntry& entry : batch_) {
    ids.push_back(entry.id);
    Result<v1::StatusEvent> event =
        entry.has_payload ? DecodeEvent(entry.payload)
                          : Result<v1::StatusEvent>(
                                Status::InvalidArgument("no field \"e\" (deleted while pending?)"));
    if (event.ok()) {
      events.push_back(std::move(event).value());
    } else {
      spdlog::warn("report: dropping entry {}: {}", entry.id, event.status().message());
      ++stats_.entries_dropped;
    }
  }
  const std::vector<MessageUpdate> updates = Coalesce(events);
  const auto started = Clock::now();
  for (int attempt = 1;; ++attempt) {
    Status s = writer_->Write(updates);
    if (!s.ok() && attempt > kIsolateAfterAttempts && s.code() != ErrorCode::kUnavailable) {
      std::vector<std::string> rejected;
      s = writer_->WriteEach(updates, &rejected);
      stats_.entries_dropped += static_cast<int64_t>(rejected.size());
    }
    if (s.ok()) break;
    ++stats_.write_failures;
    if (final_attempt || stopping_) {
      spdlog::warn("report: leaving a batch of {} entries unacked on the way out: {}",
                   batch_.size(), s.message());
      batch_.clear();
      return;
    }
    const int delay = Backoff(attempt);
    spdlog::error("report: writing a batch of {} rows failed (attempt {}), retrying in {} ms: {}",
                  updates.size(), attempt, delay, s.message());
    if (!Sleep(delay)) {
      spdlog::warn("report: leaving a batch of {} entries unacked on the way out", batch_.size());
      batch_.clear();
      return;
    }
  }
  stats_.events_written += static_cast<int64_t>(events.size());
  stats_.rows_written += static_cast<int64_t>(updates.size());
  ++stats_.batches_written;
  spdlog::debug(
      "report: wrote {} events as {} rows in {} ms", events.size(), updates.size(),
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count());
  Ack(ids);
  batch_.clear();
}

void StreamConsumer::Ack(const std::vector<std::string>& ids) {
  redis::Command ack{"XACK", options_.stream, options_.group};
  redis::Command del{"XDEL", options_.stream};
  ack.insert(ack.end(), ids.begin(), ids.end());
  del.insert(del.end(), ids.begin(), ids.end());
  Result<std::vector<redis::Reply>> r = redis_->Pipeline({ack, del});
  // Unacked entries are claimed again later and written once more, which changes nothing.
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
