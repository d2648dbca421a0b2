#include "sched/scheduler.h"

#include <spdlog/spdlog.h>

#include "common/time.h"
#include "daemon/heartbeat.h"
#include "sched/ledger_calls.h"
#include "sched/outcomes.h"
#include "sched/pick.h"
#include "sched/receipts.h"
#include "sms/encoding.h"

namespace smsgw::sched {
namespace {

constexpr int64_t kLinkDownRetryMs = 1000;  // its route's link is down: try again soon, no attempt spent
constexpr int kRetryMoveBatch = 500;
constexpr int64_t kRetryMoveEveryMs = 250;
constexpr int64_t kPendingRescanMs = 30000;
constexpr auto kIdleWait = std::chrono::milliseconds(20);
constexpr auto kStopGrace = std::chrono::seconds(5);

}  // namespace

Scheduler::Scheduler(const config::SchedConfig& config, redis::Connection& conn, rpc::LedgerClient& ledger,
                     std::vector<Route> routes, std::string consumer)
    : config_(config),
      conn_(conn),
      ledger_(ledger),
      routes_(std::move(routes)),
      reader_(conn, std::move(consumer), config.max_streams_per_round, config.quantum) {
  for (const Route& r : routes_) route_prefixes_.push_back(r.prefixes);
  all_routes_.assign(routes_.size(), true);
}

int Scheduler::Capacity() const {
  int window = 0;
  for (const Route& r : routes_) {
    if (r.client->bound()) window += r.client->config().window;
  }
  return 2 * window - in_flight_ - static_cast<int>(waiting_.size());
}

void Scheduler::OnReceipt(const std::string& operator_name, const smpp::Receipt& receipt) {
  if (receipt.state == smpp::ReceiptState::kNotFinal) return;
  {
    std::lock_guard lock(mu_);
    new_receipts_.push_back({operator_name, receipt});
  }
  cv_.notify_one();
}

// ---- From a read to an outcome ----------------------------------------------------------------

int Scheduler::Take(std::vector<QueuedMessage> read) {
  std::vector<Job> jobs;
  jobs.reserve(read.size());
  for (QueuedMessage& m : read) {
    if (!held_.insert(EntryKey(m)).second) continue;  // ours already: with a link, or waiting
    Job job;
    Facts& f = job.facts;
    f.decoded = m.decoded;
    if (m.decoded) {
      const v1::Envelope& e = m.envelope;
      f.expires_at_ms = e.expires_at_ms();
      f.destination = e.to();
      f.attempts = e.attempts();
      f.max_attempts = config_.max_attempts;
      const sms::Encoding encoding = e.encoding() == v1::ENCODING_UCS2 ? sms::Encoding::kUcs2 : sms::Encoding::kGsm7;
      Result<std::vector<std::string>> parts = sms::EncodeParts(e.text(), encoding);
      if (parts.ok()) {
        job.request.source_addr = e.from();
        job.request.dest_addr = e.to();
        job.request.data_coding = encoding == sms::Encoding::kUcs2 ? 8 : 0;
        job.request.parts = std::move(parts).value();
      } else {
        f.encode_error = parts.status().message();
      }
    }
    job.msg = std::move(m);
    jobs.push_back(std::move(job));
  }
  const int taken = static_cast<int>(jobs.size());
  Advance(std::move(jobs));
  return taken;
}

void Scheduler::Observe(Job& job, const std::vector<bool>& bound, int64_t now_ms) const {
  Facts& f = job.facts;
  f.now_ms = now_ms;
  if (!f.decoded) return;
  f.has_route = PickRoute(job.msg.envelope.to(), route_prefixes_, all_routes_) >= 0;
  job.route = PickRoute(job.msg.envelope.to(), route_prefixes_, bound);
  f.route_bound = job.route >= 0;
}

void Scheduler::Advance(std::vector<Job> jobs) {
  while (!jobs.empty()) {
    std::vector<bool> bound;
    for (const Route& r : routes_) bound.push_back(r.client->bound());
    const int64_t now = NowMs();
    // Jobs that need the ledger; reserved, so the pointers below stay valid.
    std::vector<Job> asking;
    asking.reserve(jobs.size());
    std::vector<Job*> capture;
    std::vector<Job*> refund;
    for (Job& job : jobs) {
      Observe(job, bound, now);
      const Outcome outcome = Decide(job.facts);
      switch (outcome.action) {
        case Action::kCapture:
          asking.push_back(std::move(job));
          capture.push_back(&asking.back());
          break;
        case Action::kRefund:
          job.refund_reason = outcome.error;
          asking.push_back(std::move(job));
          refund.push_back(&asking.back());
          break;
        case Action::kSubmit: Submit(std::move(job)); break;
        case Action::kAskLedgerAgain: waiting_.push_back(std::move(job)); break;
        default: Record(job, outcome, now); break;
      }
    }
    Status failed = Status::Ok();
    if (!capture.empty()) failed = CaptureHolds(ledger_, capture);
    if (!refund.empty()) {
      if (Status s = RefundHolds(ledger_, refund); !s.ok() && failed.ok()) failed = s;
    }
    if (!failed.ok()) {
      ledger_pause_.Failed(NowMs());
      spdlog::warn("ledger: {}; asking again in {} ms", failed.ToString(), ledger_pause_.next_ms() - NowMs());
    }
    jobs = std::move(asking);
  }
}

void Scheduler::Submit(Job job) {
  Route& route = routes_[static_cast<size_t>(job.route)];
  job.operator_name = route.name;
  smpp::SubmitRequest request = std::move(job.request);
  ++in_flight_;
  route.client->Submit(std::move(request), [this, job = std::move(job)](smpp::SubmitResult r) mutable {
    {
      std::lock_guard lock(mu_);
      completions_.push_back({std::move(job), std::move(r)});
    }
    cv_.notify_one();
  });
}

void Scheduler::Record(Job& job, const Outcome& outcome, int64_t now_ms) {
  QueuedMessage& m = job.msg;
  const std::string& id = m.envelope.id();
  std::vector<redis::Command> cmds;
  switch (outcome.action) {
    case Action::kDrop:
      spdlog::error("{} {}: not an envelope; dropped", m.stream, m.entry_id);
      cmds = AckCommands(m);
      break;
    case Action::kWaitForLink: cmds = RetryCommands(m, outcome.attempts, now_ms + kLinkDownRetryMs); break;
    case Action::kRetry: {
      std::uniform_real_distribution<double> unit(0.0, 1.0);
      spdlog::info("message {}: {} (attempt {}); will retry", id, outcome.error, outcome.attempts);
      cmds = RetryCommands(m, outcome.attempts, now_ms + BackoffMs(outcome.attempts, unit(rng_)));
      break;
    }
    case Action::kSubmitted:
      cmds = SubmittedCommands(m, job.operator_name, job.operator_ids, config_.receipt_ttl_s, now_ms);
      break;
    case Action::kExpired: cmds = FinalCommands(m, v1::STATUS_EXPIRED, outcome.error, now_ms); break;
    case Action::kCanceled:
      spdlog::info("message {} not sent: {}", id, outcome.error);
      cmds = FinalCommands(m, v1::STATUS_CANCELED, outcome.error, now_ms);
      break;
    case Action::kNoHold:
      spdlog::warn("message {} not sent: {}", id, outcome.error);
      cmds = FinalCommands(m, v1::STATUS_FAILED, outcome.error, now_ms);
      break;
    case Action::kDeadLetter:
      spdlog::info("message {} failed: {}", id, outcome.error);
      m.envelope.set_attempts(outcome.attempts);
      cmds = DeadLetterCommands(m, outcome.error, now_ms);
      break;
    default:
      // Not reached (Advance hands over only outcomes). Released, so that the periodic
      // re-read of pending entries picks it up again.
      spdlog::critical("message {}: '{}' is not an outcome; left pending", id, ActionName(outcome.action));
      held_.erase(EntryKey(m));
      return;
  }
  outbox_.Add(std::move(cmds), EntryKey(m));
}

// ---- The turn's parts -------------------------------------------------------------------------

int Scheduler::DrainLinks() {
  std::vector<Completion> done;
  {
    // Both at once: a receipt follows its submit_sm_resp on the link, so every receipt taken
    // here has its completion taken now or before, and its key is written first.
    std::lock_guard lock(mu_);
    done.swap(completions_);
    for (ReceiptEvent& r : new_receipts_) receipts_.push_back(std::move(r));
    new_receipts_.clear();
  }
  if (done.empty()) return 0;
  const int64_t now = NowMs();
  std::vector<Job> jobs;
  jobs.reserve(done.size());
  for (Completion& c : done) {
    --in_flight_;
    Job& job = c.job;
    job.facts.submit = SubmitFactOf(c.result);
    if (c.result.ok()) {
      job.operator_ids = std::move(c.result.message_ids);
      if (job.msg.envelope.priority() == v1::PRIORITY_EXPRESS) {
        const auto latency = static_cast<double>(now - job.msg.envelope.accepted_at_ms());
        express_latency_ms_ = Ewma(express_latency_ms_, latency, 0.1);
      }
    } else {
      job.facts.submit_detail = job.operator_name + ": " + c.result.detail;
    }
    jobs.push_back(std::move(job));
  }
  Advance(std::move(jobs));
  return static_cast<int>(done.size());
}

int Scheduler::FlushAndMatch() {
  if (outbox_.empty() && receipts_.empty()) return 0;
  const int64_t now = NowMs();
  if (!outbox_pause_.Ready(now)) return 0;
  // The receipts ride in the same round trip, after the writes: their keys, written by the
  // completions taken with them, are then in Redis when the match runs. Receipts whose match
  // answered what it should not wait for their own pause.
  std::vector<ReceiptEvent> matching;
  if (receipt_pause_.Ready(now)) matching.swap(receipts_);
  if (outbox_.empty() && matching.empty()) return 0;
  std::vector<redis::Command> matches;
  matches.reserve(matching.size());
  for (const ReceiptEvent& r : matching) {
    matches.push_back(MatchReceiptCommand(r.operator_name, r.receipt, config_.receipt_ttl_s));
  }
  std::vector<redis::Reply> matched;
  Status s = outbox_.Flush(
      [this](const std::vector<redis::Command>& cmds) { return conn_.PipelineScripts(cmds, {&MatchReceiptScript()}); },
      matches, &matched);
  for (const std::string& entry : outbox_.TakeLanded()) held_.erase(entry);
  if (!s.ok()) {
    // A key that did not land may be one of these receipts': match them all again later (the
    // match gives the same answer when run again).
    for (ReceiptEvent& r : matching) receipts_.push_back(std::move(r));
    outbox_pause_.Failed(now);
    spdlog::error("recording outcomes: {}; {} command(s) and {} receipt(s) kept, trying again in {} ms", s.ToString(),
                  outbox_.commands(), receipts_.size(), outbox_pause_.next_ms() - now);
    return 0;
  }
  if (outbox_pause_.failures() > 0) spdlog::info("outcome writes land again");
  outbox_pause_.Succeeded();

  // The receipts' events go out with the next flush.
  int handled = 0;
  bool failed = false;
  for (size_t i = 0; i < matching.size(); ++i) {
    Result<MatchedReceipt> m = ReadReceiptMatch(matched[i], matching[i].receipt, now);
    if (!m.ok()) {
      spdlog::error("receipt for {} id {}: {}; trying again", matching[i].operator_name,
                    matching[i].receipt.message_id, m.status().ToString());
      receipts_.push_back(std::move(matching[i]));
      failed = true;
      continue;
    }
    ++handled;
    switch (m->match) {
      case ReceiptMatch::kUnknown:
        spdlog::warn("receipt for unknown {} id {}", matching[i].operator_name, matching[i].receipt.message_id);
        break;
      case ReceiptMatch::kMorePartsToCome: break;
      case ReceiptMatch::kFinal: outbox_.Add({EventCommand(std::move(m->event))}); break;
    }
  }
  if (failed) {
    receipt_pause_.Failed(now);
  } else if (!matching.empty()) {
    receipt_pause_.Succeeded();
  }
  return handled;
}

void Scheduler::RetryWaiting() {
  if (waiting_.empty() || !ledger_pause_.Ready(NowMs())) return;
  std::vector<Job> jobs;
  jobs.swap(waiting_);
  for (Job& job : jobs) {
    if (job.facts.capture == CaptureFact::kCallFailed) job.facts.capture = CaptureFact::kNotAsked;
    if (job.facts.refund == RefundFact::kCallFailed) job.facts.refund = RefundFact::kNotAsked;
  }
  Advance(std::move(jobs));
  if (waiting_.empty()) {
    if (ledger_pause_.failures() > 0) spdlog::info("ledger answers again");
    ledger_pause_.Succeeded();
  }
}

void Scheduler::MoveDueRetries() {
  const int64_t now = NowMs();
  if (now - last_retry_move_ms_ < kRetryMoveEveryMs) return;
  last_retry_move_ms_ = now;
  if (Result<int64_t> moved = reader_.MoveDueRetries(now, kRetryMoveBatch); !moved.ok()) {
    spdlog::error("moving retries: {}", moved.status().ToString());
  }
}

void Scheduler::RescanPending() {
  // With a link to send through and nothing stuck; the first turn that can, then periodically.
  const int64_t now = NowMs();
  if (last_rescan_ms_ > 0 && now - last_rescan_ms_ < kPendingRescanMs) return;
  if (outbox_pause_.failures() > 0 || !waiting_.empty() || Capacity() <= 0) return;
  last_rescan_ms_ = now;
  Result<std::vector<QueuedMessage>> pending = reader_.ReadOwnPending();
  if (!pending.ok()) {
    spdlog::error("reading own pending entries: {}", pending.status().ToString());
    return;
  }
  const size_t seen = pending->size();
  const int taken = Take(std::move(pending).value());
  if (taken > 0) {
    spdlog::info("{} of {} pending entries were no longer held (an earlier run, or a lost outcome); sent again",
                 taken, seen);
  }
}

int Scheduler::ReadBatch() {
  // Not while writes fail (they are retried first), nor while messages wait for the ledger.
  if (outbox_pause_.failures() > 0 || !waiting_.empty()) return 0;
  const int64_t now = NowMs();
  if (!read_pause_.Ready(now)) return 0;
  const int capacity = Capacity();
  if (capacity <= 0) return 0;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double share = ExpressShare(express_latency_ms_, config_.express_sla_ms, config_.normal_min_share);
  const Level first = PickLevel(share, unit(rng_), false, false);
  Result<std::vector<QueuedMessage>> batch =
      first == Level::kExpress ? reader_.ReadExpress(capacity) : reader_.ReadNormal(capacity);
  if (batch.ok() && batch->empty()) {
    batch = first == Level::kExpress ? reader_.ReadNormal(capacity) : reader_.ReadExpress(capacity);
  }
  if (!batch.ok()) {
    read_pause_.Failed(now);
    spdlog::error("reading queues: {}; trying again in {} ms", batch.status().ToString(), read_pause_.next_ms() - now);
    return 0;
  }
  read_pause_.Succeeded();
  return Take(std::move(batch).value());
}

void Scheduler::Run(const std::atomic<bool>& stop) {
  auto idle = [&] {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, kIdleWait, [&] { return !completions_.empty() || !new_receipts_.empty(); });
  };
  // One turn: what the links answered, then one round trip with every outcome write and
  // receipt match, then the ledger's waiting work, then (when no write is failing) a new read.
  // The read's own outcomes (canceled, expired, ...) go out with the next turn's writes.
  daemon::Heartbeat heartbeat("scheduler loop");
  while (!stop.load()) {
    heartbeat.Beat();
    int handled = DrainLinks();
    handled += FlushAndMatch();
    RetryWaiting();
    MoveDueRetries();
    RescanPending();
    handled += ReadBatch();
    if (handled == 0) idle();
  }
  // Stop reading; give the submits already handed over, and the writes not yet landed, a
  // bounded time to finish.
  const auto deadline = std::chrono::steady_clock::now() + kStopGrace;
  while ((in_flight_ > 0 || !outbox_.empty() || !receipts_.empty()) && std::chrono::steady_clock::now() < deadline) {
    int handled = DrainLinks();
    handled += FlushAndMatch();
    if (handled == 0) idle();
  }
  DrainLinks();
  FlushAndMatch();
  FlushAndMatch();  // the events of the last receipts
  if (in_flight_ > 0) spdlog::warn("{} submits unanswered at stop; they stay pending and are sent again", in_flight_);
  if (!outbox_.empty()) {
    spdlog::error("{} outcome write(s) not recorded at stop; their entries stay pending and are sent again",
                  outbox_.commands());
  }
  if (!waiting_.empty()) spdlog::warn("{} messages waiting for the ledger at stop; they stay pending", waiting_.size());
  if (!receipts_.empty()) spdlog::error("{} receipts not matched at stop", receipts_.size());
}

}  // namespace smsgw::sched
