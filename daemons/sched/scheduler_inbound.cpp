// Scheduler: what the links bring (submit answers, receipts, MO messages, late answers), and
// the turn's one round trip that records outcomes and matches receipts.

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/time.h"
#include "keys/keys.h"
#include "proto/names.h"
#include "sched/ledger_calls.h"
#include "sched/lua_scripts.h"
#include "sched/outcomes.h"
#include "sched/scheduler.h"
#include "sched/valid_utf8.h"
#include "smpp/message_id.h"

namespace smsgw::sched {
namespace {

const redis::Script kExpressLatencyScript(lua::kExpressLatency);

constexpr size_t kMaxInbound = 50000;        // receipts and MO queued by the links; beyond: refused
constexpr int64_t kLatencyReadEveryMs = 500;  // the shared express latency is read this often
constexpr int64_t kParkedEveryMs = 1000;
constexpr int kParkedBatch = 500;
constexpr int64_t kMoMaxLen = 1000000;

// Whether the operator's policy returns the money for a receipt's final state (refund_on).
bool RefundsOn(const Route& route, v1::MessageStatus status) {
  const std::string name(v1::StatusName(status));
  return std::find(route.op.refund_on.begin(), route.op.refund_on.end(), name) != route.op.refund_on.end();
}

}  // namespace

void Scheduler::OnReceipt(size_t route, const smpp::Receipt& receipt, smpp::Client::Ack ack) {
  if (receipt.state == smpp::ReceiptState::kNotFinal) {
    ack(true);  // intermediate (ACCEPTD, ENROUTE): nothing to record
    return;
  }
  {
    std::lock_guard lock(mu_);
    if (new_inbound_.size() < kMaxInbound) {
      new_inbound_.push_back({route, receipt, {}, false, std::move(ack), {}});
      ack = nullptr;
    }
  }
  if (ack) {
    ack(false);  // too much unrecorded: the SMSC sends it again later
    return;
  }
  cv_.notify_one();
}

void Scheduler::OnMo(size_t route, const smpp::DeliverSm& deliver, smpp::Client::Ack ack) {
  {
    std::lock_guard lock(mu_);
    if (new_inbound_.size() < kMaxInbound) {
      new_inbound_.push_back({route, {}, deliver, true, std::move(ack), {}});
      ack = nullptr;
    }
  }
  if (ack) {
    ack(false);
    return;
  }
  cv_.notify_one();
}

void Scheduler::OnLateResponse(size_t route, const std::string& tag, const std::string& message_id) {
  {
    std::lock_guard lock(mu_);
    late_.push_back({route, tag, message_id});
  }
  cv_.notify_one();
}

int Scheduler::DrainLinks() {
  std::vector<Completion> done;
  std::vector<Late> late;
  {
    // All at once: a receipt follows its submit_sm_resp on the link, so every receipt taken
    // here has its completion taken now or before, and its key is written first.
    std::lock_guard lock(mu_);
    done.swap(completions_);
    late.swap(late_);
    for (Inbound& in : new_inbound_) inbound_.push_back(std::move(in));
    new_inbound_.clear();
  }
  const int64_t now = NowMs();
  // A submit_sm_resp after its timeout (review m18): the message was sent again or will be,
  // but this id is the operator's too, so its receipt must find the message.
  for (Late& l : late) {
    const Route& route = routes_[l.route];
    const std::string key_id =
        smpp::CanonicalMessageId(l.message_id, smpp::IdFormatFromName(route.op.message_id_format));
    outbox_.Add({{"SET", keys::Receipt(route.name, ValidUtf8(key_id)), l.tag, "EX", std::to_string(config_.receipt_ttl_s)}});
  }
  // MO messages: recorded, then acknowledged.
  std::vector<Inbound> receipts;
  for (Inbound& in : inbound_) {
    if (!in.is_mo) {
      receipts.push_back(std::move(in));
      continue;
    }
    const smpp::DeliverSm& d = in.mo;
    outbox_.Add({{"XADD", keys::kMoMessages, "MAXLEN", "~", std::to_string(kMoMaxLen), "*", "operator",
                  routes_[in.route].name, "from", d.source_addr, "to", d.destination_addr, "data_coding",
                  std::to_string(d.data_coding), "esm_class", std::to_string(d.esm_class), "text", d.Payload(), "at_ms",
                  std::to_string(now)}},
                "", [ack = std::move(in.ack)] { ack(true); });
  }
  inbound_ = std::move(receipts);
  if (done.empty()) return static_cast<int>(late.size());
  std::vector<Job> jobs;
  jobs.reserve(done.size());
  for (Completion& c : done) {
    --in_flight_;
    Job& job = c.job;
    job.facts.submit = SubmitFactOf(c.result);
    job.failure = SubmitFailureOf(c.result);
    job.operator_ids = std::move(c.result.message_ids);
    job.concat_ref = c.result.concat_ref;
    if (c.result.ok()) {
      for (size_t i = 0; i < routes_.size(); ++i) {
        if (routes_[i].name == job.operator_name) lanes_[i].pause_ms = 0;
      }
      const v1::Envelope& e = job.msg.envelope;
      // Accepted -> submitted of first attempts only: time spent in q:retry is not the
      // scheduler's choice (review m17).
      if (e.priority() == v1::PRIORITY_EXPRESS && e.attempts() == 0 && !job.msg.recovered) {
        latency_sum_ms_ += static_cast<double>(now - e.accepted_at_ms());
        ++latency_samples_;
        metrics_.ExpressLatency(static_cast<double>(now - e.accepted_at_ms()) / 1000.0);
      }
    } else {
      job.facts.submit_detail = job.operator_name + ": " + c.result.detail;
    }
    jobs.push_back(std::move(job));
  }
  Advance(std::move(jobs));
  return static_cast<int>(done.size() + late.size());
}

int Scheduler::FlushAndMatch() {
  const int64_t now = NowMs();
  const bool steer = latency_samples_ > 0 || now - last_steer_ms_ >= kLatencyReadEveryMs;
  if (outbox_.empty() && inbound_.empty() && !steer) return 0;
  if (!outbox_pause_.Ready(now)) return 0;
  // The receipts ride in the same round trip, after the writes: their keys, written by the
  // completions taken with them, are then in Redis when the match runs. Receipts whose match
  // answered what it should not wait for their own pause.
  std::vector<Inbound> matching;
  if (receipt_pause_.Ready(now)) matching.swap(inbound_);
  std::vector<redis::Command> tail;
  tail.reserve(matching.size() + 1);
  for (const Inbound& in : matching) {
    const Route& route = routes_[in.route];
    const smpp::IdFormat format = smpp::IdFormatFromName(in.receipt.id_from_tlv ? route.op.message_id_format
                                                                                : route.op.receipt_id_format);
    tail.push_back(MatchReceiptCommand(route.name, smpp::CanonicalMessageId(in.receipt.message_id, format), in.receipt,
                                       receipt_settings_, now));
  }
  if (steer) {
    const std::string sample = latency_samples_ > 0 ? std::to_string(latency_sum_ms_ / latency_samples_) : "";
    tail.push_back(kExpressLatencyScript.Invocation({keys::kExpressLatency}, {sample, "0.2", std::to_string(now)}));
  }
  std::vector<redis::Reply> replies;
  Status s = outbox_.Flush(
      [this](const std::vector<redis::Command>& cmds) {
        return conn_.PipelineScripts(cmds, {&MatchReceiptScript(), &kExpressLatencyScript});
      },
      tail, &replies);
  for (const std::string& entry : outbox_.TakeLanded()) held_.erase(entry);
  if (!s.ok() && replies.size() != tail.size()) {
    // A key that did not land may be one of these receipts': match them all again later (the
    // match gives the same answer when run again). Nothing is acknowledged meanwhile.
    for (Inbound& in : matching) inbound_.push_back(std::move(in));
    outbox_pause_.Failed(now);
    spdlog::error("recording outcomes: {}; {} command(s) and {} receipt(s) kept, trying again in {} ms", s.ToString(),
                  outbox_.commands(), inbound_.size(), outbox_pause_.next_ms() - now);
    return 0;
  }
  if (s.ok()) {
    if (outbox_pause_.failures() > 0) spdlog::info("outcome writes land again");
    outbox_pause_.Succeeded();
  } else {
    outbox_pause_.Failed(now);
    spdlog::error("recording outcomes: {}; kept, trying again in {} ms", s.ToString(), outbox_pause_.next_ms() - now);
  }
  if (steer) {
    const redis::Reply& r = replies.back();
    if (!r.is_error() && r.elements.size() == 2) Steer(std::atof(r.elements[0].str.c_str()), now);
    latency_sum_ms_ = 0;
    latency_samples_ = 0;
    last_steer_ms_ = now;
  }

  // The receipts' events go out with the next flush; each is acknowledged once recorded.
  int handled = 0;
  bool failed = false;
  std::vector<Inbound*> refunds;
  for (size_t i = 0; i < matching.size(); ++i) {
    Result<MatchedReceipt> m = ReadReceiptMatch(replies[i], now);
    if (!m.ok()) {
      spdlog::error("receipt for {} id {}: {}; trying again", routes_[matching[i].route].name,
                    matching[i].receipt.message_id, m.status().ToString());
      inbound_.push_back(std::move(matching[i]));
      failed = true;
      continue;
    }
    ++handled;
    Matched(matching[i], *m, refunds);
  }
  RefundReceipts(refunds);
  if (failed) {
    receipt_pause_.Failed(now);
  } else if (!matching.empty()) {
    receipt_pause_.Succeeded();
  }
  return handled;
}

void Scheduler::Matched(Inbound& in, const MatchedReceipt& m, std::vector<Inbound*>& refunds) {
  const Route& route = routes_[in.route];
  switch (m.match) {
    case ReceiptMatch::kUnknown:
      spdlog::error("receipt for {} id {}: its key holds something unreadable", route.name, in.receipt.message_id);
      in.ack(true);
      return;
    case ReceiptMatch::kParked:
      spdlog::debug("receipt for {} id {} parked: no submit recorded for it yet", route.name, in.receipt.message_id);
      in.ack(true);
      return;
    case ReceiptMatch::kMorePartsToCome:
    case ReceiptMatch::kUnmatched:
    case ReceiptMatch::kGone: in.ack(true); return;
    case ReceiptMatch::kFinal: break;
  }
  metrics_.Receipt(route.name, m.event.status());
  if (RefundsOn(route, m.event.status())) {
    in.event = m.event;
    refunds.push_back(&in);
    return;
  }
  outbox_.Add({EventCommand(m.event)}, "", [ack = std::move(in.ack)] { ack(true); });
}

void Scheduler::RefundReceipts(std::vector<Inbound*>& refunds) {
  // A receipt refused here is not acknowledged: the SMSC sends it again.
  std::vector<v1::StatusEvent> events;
  for (const Inbound* in : refunds) events.push_back(in->event);
  const std::vector<bool> done = RefundByReceipt(events);
  for (size_t i = 0; i < refunds.size(); ++i) {
    if (!done[i]) {
      refunds[i]->ack(false);
      continue;
    }
    outbox_.Add({EventCommand(events[i])}, "", [ack = std::move(refunds[i]->ack)] { ack(true); });
  }
}

std::vector<bool> Scheduler::RefundByReceipt(std::vector<v1::StatusEvent>& events) {
  // The operator's policy returns the money for these outcomes (refund_on): refunded first
  // (exactly once: the ledger refunds a message id once), then the event.
  std::vector<bool> done(events.size(), false);
  if (events.empty()) return done;
  std::vector<Job> jobs(events.size());
  std::vector<Job*> asked;
  for (size_t i = 0; i < events.size(); ++i) {
    jobs[i].msg.envelope.set_id(events[i].message_id());
    jobs[i].msg.envelope.set_account_id(events[i].account_id());
    jobs[i].refund_reason = "receipt: " + events[i].error();
    asked.push_back(&jobs[i]);
  }
  Status s = RefundHolds(ledger_, asked);
  for (size_t i = 0; i < events.size(); ++i) {
    done[i] = jobs[i].facts.refund == RefundFact::kDone;
    if (!done[i]) {
      spdlog::warn("refund after receipt for {}: {}; tried again", events[i].message_id(), s.ToString());
      continue;
    }
    events[i].set_error(events[i].error() + " (refunded)");
  }
  return done;
}

void Scheduler::RetryParked() {
  const int64_t now = NowMs();
  if (now - last_parked_ms_ < kParkedEveryMs || Stuck()) return;
  last_parked_ms_ = now;
  Result<redis::Reply> members =
      conn_.Run({"ZRANGE", keys::kParkedReceipts, "0", std::to_string(kParkedBatch - 1)});
  if (!members.ok() || members->elements.empty()) return;
  std::vector<redis::Command> cmds;
  for (const redis::Reply& m : members->elements) cmds.push_back(RetryParkedCommand(m.str, receipt_settings_, now));
  Result<std::vector<redis::Reply>> r = conn_.PipelineScripts(cmds, {&MatchReceiptScript()});
  if (!r.ok()) return;
  // A final match stays parked until its refund (where the operator's policy says so) and its
  // event have landed: a crash before that leaves it to be matched again.
  int matched = 0;
  std::vector<v1::StatusEvent> refund_events;
  std::vector<std::string> refund_members;
  auto record = [&](const std::string& member, const v1::StatusEvent& event) {
    std::vector<redis::Command> writes = SettleParkedCommands(member);
    writes.insert(writes.begin(), EventCommand(event));
    outbox_.Add(std::move(writes));
    metrics_.Receipt(member.substr(0, member.find('\n')), event.status());
    ++matched;
  };
  for (size_t i = 0; i < r->size(); ++i) {
    Result<MatchedReceipt> m = ReadReceiptMatch((*r)[i], now);
    if (!m.ok()) continue;
    const std::string& member = members->elements[i].str;  // "<operator>\n<id>"
    const std::string op = member.substr(0, member.find('\n'));
    if (m->match == ReceiptMatch::kFinal) {
      const Route* route = RouteNamed(op);
      if (route != nullptr && RefundsOn(*route, m->event.status())) {
        refund_events.push_back(m->event);
        refund_members.push_back(member);
      } else {
        record(member, m->event);
      }
    } else if (m->match == ReceiptMatch::kUnmatched) {
      spdlog::warn("receipt {} matched no message in {} s; kept in {}", op + ":" + member.substr(member.find('\n') + 1),
                   config_.receipt_park_s, keys::kUnmatchedReceipts);
    }
  }
  const std::vector<bool> refunded = RefundByReceipt(refund_events);
  for (size_t i = 0; i < refund_events.size(); ++i) {
    if (refunded[i]) record(refund_members[i], refund_events[i]);
  }
  if (matched > 0) spdlog::info("{} parked receipt(s) matched their message", matched);
}

}  // namespace smsgw::sched
