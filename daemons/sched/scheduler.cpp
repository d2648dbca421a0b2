#include "sched/scheduler.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/time.h"
#include "daemon/heartbeat.h"
#include "keys/keys.h"
#include "sched/ledger_calls.h"
#include "sched/outcomes.h"
#include "sched/pick.h"
#include "sched/receipt_waits.h"
#include "sched/submit_request.h"
#include "sms/encoding.h"
#include "smpp/message_id.h"

namespace smsgw::sched {
namespace {

constexpr int64_t kLinkDownRetryMs = 1000;  // its route's link is down: try again soon, no attempt spent

}  // namespace

Scheduler::Scheduler(const config::SchedConfig& config, redis::Connection& conn, rpc::LedgerClient& ledger,
                     std::vector<Route> routes, std::string consumer, bool stable_consumer)
    : config_(config),
      conn_(conn),
      ledger_(ledger),
      routes_(std::move(routes)),
      reader_(conn, std::move(consumer), config.max_streams_per_round, config.quantum),
      stable_consumer_(stable_consumer),
      metrics_(
          [&] {
            std::vector<std::string> names;
            for (const Route& r : routes_) names.push_back(r.name);
            return names;
          }(),
          config.express_sla_ms) {
  metrics_.ExpressShare(express_share_);
  for (const Route& r : routes_) route_prefixes_.push_back(r.prefixes);
  all_routes_.assign(routes_.size(), true);
  lanes_.resize(routes_.size());
  receipt_settings_.receipt_ttl_s = config.receipt_ttl_s;
  receipt_settings_.park_s = config.receipt_park_s;
  receipt_settings_.unmatched_max_len = config.unmatched_max_len;
}

int Scheduler::Capacity() const {
  int window = 0;
  for (const Route& r : routes_) {
    if (r.client->bound()) window += r.client->config().window;
  }
  int ready = 0;
  for (const Lane& l : lanes_) ready += static_cast<int>(l.ready.size());
  return 2 * window - in_flight_ - ready - static_cast<int>(waiting_.size());
}

bool Scheduler::Stuck() const { return outbox_pause_.failures() > 0 || !waiting_.empty(); }

const Route* Scheduler::RouteNamed(const std::string& name) const {
  for (const Route& r : routes_) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

// ---- From a read to an outcome ----------------------------------------------------------------

int Scheduler::Take(std::vector<QueuedMessage> read) {
  std::vector<Job> jobs;
  jobs.reserve(read.size());
  const int64_t now = NowMs();
  for (QueuedMessage& m : read) {
    if (!held_.try_emplace(EntryKey(m), Held{m.stream, m.entry_id, now}).second) continue;  // ours already
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
      if (Result<sms::TextInfo> info = sms::Analyze(e.text()); !info.ok()) {
        f.encode_error = info.status().message();
      } else if (encoding == sms::Encoding::kGsm7 && info->encoding != sms::Encoding::kGsm7) {
        f.encode_error = "text: not GSM-7 as its envelope says";
      }
    }
    job.msg = std::move(m);
    jobs.push_back(std::move(job));
  }
  // Entries read again (taken over, or our own pending) may have been submitted already: the
  // submitted mark says so (one round trip, only when there are such entries).
  std::vector<redis::Command> marks;
  std::vector<Job*> asked;
  for (Job& job : jobs) {
    if (!job.msg.recovered || !job.msg.decoded) continue;
    marks.push_back({"EXISTS", keys::SubmittedMark(job.msg.envelope.id())});
    asked.push_back(&job);
  }
  if (!marks.empty()) {
    Result<std::vector<redis::Reply>> r = conn_.Pipeline(marks);
    if (!r.ok()) {
      // Unknown: give them back (released, so the next rescan or claim reads them again).
      spdlog::warn("reading submitted marks: {}; {} recovered entries left for later", r.status().ToString(),
                   asked.size());
      std::vector<Job> keep;
      for (Job& job : jobs) {
        if (job.msg.recovered) {
          held_.erase(EntryKey(job.msg));
        } else {
          keep.push_back(std::move(job));
        }
      }
      jobs = std::move(keep);
    } else {
      for (size_t i = 0; i < asked.size(); ++i) asked[i]->facts.already_submitted = (*r)[i].integer == 1;
    }
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
        case Action::kThrottled: Throttled(std::move(job), now); break;
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

void Scheduler::Submit(Job job, bool front) {
  const Route& route = routes_[static_cast<size_t>(job.route)];
  const v1::Envelope& e = job.msg.envelope;
  // Through this route, as it wants the text written; the parts it already took stay taken.
  const std::string tag = std::to_string(e.account_id()) + ":" + e.id() + ":";
  Result<smpp::SubmitRequest> request = BuildRequest(e, route.op, NowMs(), tag);
  if (!request.ok()) {  // Take() checked the text: not reached
    job.facts.submit = SubmitFact::kPermanent;
    job.facts.submit_detail = request.status().message();
    std::vector<Job> one;
    one.push_back(std::move(job));
    Advance(std::move(one));
    return;
  }
  job.request = std::move(request).value();
  job.request.tag += std::to_string(job.request.parts.size());
  // Parts accepted before a throttling answer on this run are not sent again either.
  if (job.operator_name == route.name && job.operator_ids.size() == job.request.parts.size()) {
    job.request.done_ids = job.operator_ids;
    job.request.concat_ref = job.concat_ref;
  }
  job.operator_name = route.name;
  Lane& lane = lanes_[static_cast<size_t>(job.route)];
  if (front) {
    lane.ready.push_front(std::move(job));
  } else {
    lane.ready.push_back(std::move(job));
  }
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
    case Action::kAlreadySubmitted:
      spdlog::info("message {}: its submit was recorded before it was taken over; not sent again", id);
      cmds = AlreadySubmittedCommands(m);
      break;
    case Action::kWaitForLink:
      metrics_.Retry(RetryReasonOf(outcome.action, job.failure));
      cmds = RetryCommands(m, m.envelope, outcome.attempts, now_ms + kLinkDownRetryMs);
      break;
    case Action::kRetry: {
      std::uniform_real_distribution<double> unit(0.0, 1.0);
      spdlog::info("message {}: {} (attempt {}); will retry", id, outcome.error, outcome.attempts);
      metrics_.Submitted(job.operator_name, SchedMetrics::Submit::kRetry);
      metrics_.Retry(RetryReasonOf(outcome.action, job.failure));
      v1::Envelope e = m.envelope;
      // What the operator took of it stays taken: a retry through it sends only the rest.
      e.clear_part_ids();
      bool some = false;
      for (const std::string& part : job.operator_ids) some = some || !part.empty();
      if (some) {
        for (const std::string& part : job.operator_ids) e.add_part_ids(part);
        e.set_part_operator(job.operator_name);
        e.set_concat_ref(job.concat_ref);
      }
      cmds = RetryCommands(m, e, outcome.attempts, now_ms + BackoffMs(outcome.attempts, unit(rng_)));
      break;
    }
    case Action::kSubmitted: {
      const Route* route = RouteNamed(job.operator_name);
      const smpp::IdFormat format = smpp::IdFormatFromName(route ? route->op.message_id_format : "text");
      std::vector<std::string> key_ids;
      for (const std::string& op_id : job.operator_ids) key_ids.push_back(smpp::CanonicalMessageId(op_id, format));
      if (std::find(job.operator_ids.begin(), job.operator_ids.end(), "") != job.operator_ids.end()) {
        spdlog::warn("message {}: {} accepted a part without a message id; no receipt can match it", id,
                     job.operator_name);
      }
      metrics_.Submitted(job.operator_name, SchedMetrics::Submit::kAccepted);
      // Kept waiting for its final receipt, if the operator was asked for one (receipt_waits.h).
      const bool waits = route != nullptr && AsksForFinalReceipt(route->op.registered_delivery);
      const int64_t due = waits ? now_ms + int64_t{config_.receipt_wait_s} * 1000 : 0;
      cmds = SubmittedCommands(m, job.operator_name, job.operator_ids, key_ids, config_.receipt_ttl_s, now_ms, due);
      break;
    }
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
      if (job.facts.submit != SubmitFact::kNotSent) metrics_.Submitted(job.operator_name, SchedMetrics::Submit::kFailed);
      metrics_.DeadLetter(DeadLetterReasonOf(job.facts, job.failure));
      m.envelope.set_attempts(outcome.attempts);
      cmds = DeadLetterCommands(m, outcome.error, now_ms, config_.dlq_max_len);
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

int Scheduler::ReadBatch() {
  // Not while writes fail (they are retried first), nor while messages wait for the ledger.
  if (Stuck()) return 0;
  const int64_t now = NowMs();
  if (!read_pause_.Ready(now)) return 0;
  const int capacity = Capacity();
  if (capacity <= 0) return 0;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const Level first = PickLevel(express_share_, unit(rng_), false, false);
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
  if (!batch->empty()) metrics_.ReadBatch(batch->size());
  return Take(std::move(batch).value());
}

void Scheduler::Run(const std::atomic<bool>& stop) {
  auto idle = [&] {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(20),
                 [&] { return !completions_.empty() || !new_inbound_.empty() || !late_.empty(); });
  };
  // One turn: what the links answered, then one round trip with every outcome write and
  // receipt match, then the ledger's waiting work, the submits the rates allow, the periodic
  // upkeep, and (when no write is failing) a new read. The read's own outcomes (canceled,
  // expired, ...) go out with the next turn's writes.
  daemon::Heartbeat heartbeat("scheduler loop");
  while (!stop.load()) {
    heartbeat.Beat();
    int handled = DrainLinks();
    handled += FlushAndMatch();
    RetryWaiting();
    PumpLanes();
    MoveDueRetries();
    RetryParked();
    ExpireUnreceipted();
    ClaimAndTouch();
    RescanPending();
    handled += ReadBatch();
    if (handled == 0) idle();
  }
  // Stop reading; what was never handed to a link goes back to its queue at once (no attempt
  // spent), so another instance need not wait to take it over. The submits already handed
  // over, and the writes not yet landed, get a bounded time to finish.
  ReleaseLanes();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while ((in_flight_ > 0 || !outbox_.empty() || !inbound_.empty()) && std::chrono::steady_clock::now() < deadline) {
    int handled = DrainLinks();
    ReleaseLanes();
    handled += FlushAndMatch();
    if (handled == 0) idle();
  }
  DrainLinks();
  ReleaseLanes();
  FlushAndMatch();
  FlushAndMatch();  // the events of the last receipts
  if (in_flight_ > 0) {
    spdlog::warn("{} submits unanswered at stop; they stay pending and are taken over after {} ms", in_flight_,
                 config_.claim_idle_ms);
  }
  if (!outbox_.empty()) {
    spdlog::error("{} outcome write(s) not recorded at stop; their entries stay pending and are sent again",
                  outbox_.commands());
  }
  if (!waiting_.empty()) spdlog::warn("{} messages waiting for the ledger at stop; they stay pending", waiting_.size());
  if (!inbound_.empty()) {
    spdlog::warn("{} receipts or MO messages not recorded at stop; not acknowledged, the SMSC sends them again",
                 inbound_.size());
  }
}

}  // namespace smsgw::sched
