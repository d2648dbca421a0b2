#include "sched/scheduler.h"

#include <spdlog/spdlog.h>

#include "common/time.h"
#include "keys/keys.h"
#include "sched/lua_scripts.h"
#include "proto/names.h"
#include "sched/pick.h"
#include "sms/encoding.h"

namespace smsgw::sched {
namespace {

const redis::Script kMatchReceipt(lua::kMatchReceipt);

constexpr int64_t kLinkDownRetryMs = 1000;  // no operator bound: try again soon, no attempt spent
constexpr int kRetryMoveBatch = 500;
constexpr auto kIdleWait = std::chrono::milliseconds(20);
constexpr auto kStopGrace = std::chrono::seconds(5);

v1::MessageStatus StatusOf(smpp::ReceiptState s) {
  switch (s) {
    case smpp::ReceiptState::kDelivered: return v1::STATUS_DELIVERED;
    case smpp::ReceiptState::kExpired: return v1::STATUS_EXPIRED;
    default: return v1::STATUS_UNDELIVERED;
  }
}


}  // namespace

Scheduler::Scheduler(const config::SchedConfig& config, redis::Connection& conn, rpc::LedgerClient& ledger,
                     std::vector<Route> routes, std::string consumer)
    : config_(config),
      conn_(conn),
      ledger_(ledger),
      routes_(std::move(routes)),
      reader_(conn, std::move(consumer), config.max_streams_per_round, config.quantum) {
  for (const Route& r : routes_) {
    route_prefixes_.push_back(r.prefixes);
    window_total_ += r.client->config().window;
  }
}

int Scheduler::Capacity() const {
  // Twice the windows: one window in flight, one ready behind it, and no more in memory.
  return 2 * window_total_ - in_flight_;
}

void Scheduler::OnReceipt(const std::string& operator_name, const smpp::Receipt& receipt) {
  if (receipt.state == smpp::ReceiptState::kNotFinal) return;
  {
    std::lock_guard lock(mu_);
    receipts_.push_back({operator_name, receipt});
  }
  cv_.notify_one();
}

void Scheduler::RetryLater(const QueuedMessage& m, int32_t attempts, int64_t delay_ms,
                           std::vector<redis::Command>& out) {
  for (auto& c : RetryCommands(m, attempts, NowMs() + delay_ms)) out.push_back(std::move(c));
}

void Scheduler::DeadLetter(const QueuedMessage& m, const std::string& error, std::vector<redis::Command>& out) {
  // Refund first: if we die before the dead-letter is written, the message is read again, its
  // capture fails (refunded), and it is dropped; the money is never lost.
  Result<v1::RefundReply> refund = ledger_.Refund(m.envelope.account_id(), m.envelope.id(), error);
  if (!refund.ok()) {
    spdlog::warn("message {}: refund failed ({}); will retry", m.envelope.id(), refund.status().ToString());
    RetryLater(m, m.envelope.attempts(), kLinkDownRetryMs, out);
    return;
  }
  spdlog::info("message {} failed: {}", m.envelope.id(), error);
  for (auto& c : DeadLetterCommands(m, error, NowMs())) out.push_back(std::move(c));
}

void Scheduler::Dispatch(QueuedMessage m, std::vector<redis::Command>& out) {
  if (!m.decoded) {
    spdlog::error("{} {}: not an envelope; dropped", m.stream, m.entry_id);
    for (auto& c : AckCommands(m)) out.push_back(std::move(c));
    return;
  }
  const v1::Envelope& e = m.envelope;
  const int64_t now = NowMs();
  if (e.expires_at_ms() > 0 && now > e.expires_at_ms()) {
    Result<v1::RefundReply> refund = ledger_.Refund(e.account_id(), e.id(), "validity expired");
    if (!refund.ok()) return RetryLater(m, e.attempts(), kLinkDownRetryMs, out);
    v1::StatusEvent ev = MakeEvent(e, v1::STATUS_EXPIRED, now);
    ev.set_error("validity period passed before sending");
    out.push_back(EventCommand(ev));
    for (auto& c : AckCommands(m)) out.push_back(std::move(c));
    return;
  }
  std::vector<bool> any(routes_.size(), true);
  if (PickRoute(e.to(), route_prefixes_, any) < 0) return DeadLetter(m, "no route for " + e.to(), out);
  std::vector<bool> bound;
  for (const Route& r : routes_) bound.push_back(r.client->bound());
  const int route = PickRoute(e.to(), route_prefixes_, bound);
  if (route < 0) return RetryLater(m, e.attempts(), kLinkDownRetryMs, out);

  Result<v1::CaptureReply> capture = ledger_.Capture(e.account_id(), e.id());
  if (!capture.ok()) {
    spdlog::warn("message {}: {}; will retry", e.id(), capture.status().ToString());
    return RetryLater(m, e.attempts(), kLinkDownRetryMs, out);
  }
  if (capture->result() == v1::LEDGER_HOLD_REFUNDED) {
    // Expired (the ledger's sweeper wrote the event) or refunded: never send unpaid.
    for (auto& c : AckCommands(m)) out.push_back(std::move(c));
    return;
  }
  if (capture->result() != v1::LEDGER_OK) {
    v1::StatusEvent ev = MakeEvent(e, v1::STATUS_FAILED, now);
    ev.set_error("no debit hold for this message");
    out.push_back(EventCommand(ev));
    for (auto& c : AckCommands(m)) out.push_back(std::move(c));
    return;
  }

  const sms::Encoding encoding = e.encoding() == v1::ENCODING_UCS2 ? sms::Encoding::kUcs2 : sms::Encoding::kGsm7;
  Result<std::vector<std::string>> parts = sms::EncodeParts(e.text(), encoding);
  if (!parts.ok()) return DeadLetter(m, parts.status().message(), out);
  smpp::SubmitRequest req;
  req.source_addr = e.from();
  req.dest_addr = e.to();
  req.data_coding = encoding == sms::Encoding::kUcs2 ? 8 : 0;
  req.parts = std::move(parts).value();
  ++in_flight_;
  const std::string name = routes_[route].name;
  routes_[route].client->Submit(std::move(req), [this, m = std::move(m), name](smpp::SubmitResult r) mutable {
    {
      std::lock_guard lock(mu_);
      completions_.push_back({std::move(m), name, std::move(r)});
    }
    cv_.notify_one();
  });
}

void Scheduler::Finish(const Completion& c, std::vector<redis::Command>& out) {
  --in_flight_;
  const v1::Envelope& e = c.msg.envelope;
  const int64_t now = NowMs();
  if (c.result.ok()) {
    if (e.priority() == v1::PRIORITY_EXPRESS) {
      express_latency_ms_ = Ewma(express_latency_ms_, static_cast<double>(now - e.accepted_at_ms()), 0.1);
    }
    for (auto& cmd : SubmittedCommands(c.msg, c.operator_name, c.result.message_ids, config_.receipt_ttl_s, now)) {
      out.push_back(std::move(cmd));
    }
    return;
  }
  const int32_t attempts = e.attempts() + 1;
  if (c.result.transient() && attempts < config_.max_attempts) {
    spdlog::info("message {}: {} via {} (attempt {}); will retry", e.id(), c.result.detail, c.operator_name, attempts);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    return RetryLater(c.msg, attempts, BackoffMs(attempts, unit(rng_)), out);
  }
  QueuedMessage dead = c.msg;
  dead.envelope.set_attempts(attempts);
  DeadLetter(dead, c.operator_name + ": " + c.result.detail, out);
}

Status Scheduler::RecordReceipts(const std::vector<ReceiptEvent>& receipts) {
  if (receipts.empty()) return Status::Ok();
  std::vector<redis::Command> matches;
  for (const ReceiptEvent& r : receipts) {
    const std::string state(v1::StatusName(StatusOf(r.receipt.state)));
    matches.push_back(kMatchReceipt.Invocation({keys::Receipt(r.operator_name, r.receipt.message_id)},
                                               {state, std::to_string(config_.receipt_ttl_s)}));
  }
  Result<std::vector<redis::Reply>> matched = conn_.PipelineScripts(matches, {&kMatchReceipt});
  if (!matched.ok()) return matched.status();
  std::vector<redis::Command> events;
  const int64_t now = NowMs();
  for (size_t i = 0; i < matched->size(); ++i) {
    const redis::Reply& m = (*matched)[i];
    if (m.is_error()) return Status::Internal("receipt script: " + m.str);
    if (m.type != redis::Reply::Type::kArray) {
      spdlog::warn("receipt for unknown {} id {}", receipts[i].operator_name, receipts[i].receipt.message_id);
      continue;
    }
    if (m.elements.size() != 3 || m.elements[2].str.empty()) continue;  // more parts to come
    v1::StatusEvent ev;
    ev.set_account_id(std::stoll(m.elements[0].str));
    ev.set_message_id(m.elements[1].str);
    ev.set_status(v1::StatusFromName(m.elements[2].str));
    ev.set_at_ms(now);
    if (ev.status() != v1::STATUS_DELIVERED) {
      ev.set_error("stat:" + receipts[i].receipt.stat + " err:" + receipts[i].receipt.error_code);
    }
    events.push_back(EventCommand(ev));
  }
  return Flush(events);
}

Status Scheduler::Flush(std::vector<redis::Command>& cmds) {
  if (cmds.empty()) return Status::Ok();
  Result<std::vector<redis::Reply>> r = conn_.Pipeline(cmds);
  cmds.clear();
  if (!r.ok()) return r.status();
  for (const redis::Reply& reply : *r) {
    if (reply.is_error()) return Status::Internal("sched pipeline: " + reply.str);
  }
  return Status::Ok();
}

int Scheduler::Drain() {
  std::vector<Completion> completions;
  std::vector<ReceiptEvent> receipts;
  {
    std::lock_guard lock(mu_);
    completions.swap(completions_);
    receipts.swap(receipts_);
  }
  // Submits first: a receipt can only follow its submit_sm_resp, and its key is written here.
  std::vector<redis::Command> cmds;
  for (const Completion& c : completions) Finish(c, cmds);
  if (Status s = Flush(cmds); !s.ok()) spdlog::error("recording submits: {}", s.ToString());
  if (Status s = RecordReceipts(receipts); !s.ok()) spdlog::error("recording receipts: {}", s.ToString());
  return static_cast<int>(completions.size() + receipts.size());
}

void Scheduler::Run(const std::atomic<bool>& stop) {
  std::vector<redis::Command> cmds;
  if (Result<std::vector<QueuedMessage>> pending = reader_.ReadOwnPending(); pending.ok()) {
    for (QueuedMessage& m : *pending) Dispatch(std::move(m), cmds);
    if (Status s = Flush(cmds); !s.ok()) spdlog::error("{}", s.ToString());
  } else {
    spdlog::error("reading pending entries: {}", pending.status().ToString());
  }
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  int64_t last_retry_move = 0;
  while (!stop.load()) {
    int handled = Drain();
    const int64_t now = NowMs();
    if (now - last_retry_move >= 250) {
      last_retry_move = now;
      if (Result<int64_t> moved = reader_.MoveDueRetries(now, kRetryMoveBatch); !moved.ok()) {
        spdlog::error("moving retries: {}", moved.status().ToString());
      }
    }
    const int capacity = Capacity();
    if (capacity > 0) {
      const double share = ExpressShare(express_latency_ms_, config_.express_sla_ms, config_.normal_min_share);
      const Level first = PickLevel(share, unit(rng_), false, false);
      Result<std::vector<QueuedMessage>> batch =
          first == Level::kExpress ? reader_.ReadExpress(capacity) : reader_.ReadNormal(capacity);
      if (batch.ok() && batch->empty()) {
        batch = first == Level::kExpress ? reader_.ReadNormal(capacity) : reader_.ReadExpress(capacity);
      }
      if (!batch.ok()) {
        spdlog::error("reading queues: {}", batch.status().ToString());
      } else {
        handled += static_cast<int>(batch->size());
        for (QueuedMessage& m : *batch) Dispatch(std::move(m), cmds);
        if (Status s = Flush(cmds); !s.ok()) spdlog::error("{}", s.ToString());
      }
    }
    if (handled == 0) {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, kIdleWait, [&] { return !completions_.empty() || !receipts_.empty(); });
    }
  }
  // Stop reading; give the submits already handed over a bounded time to finish.
  const auto deadline = std::chrono::steady_clock::now() + kStopGrace;
  while (in_flight_ > 0 && std::chrono::steady_clock::now() < deadline) {
    if (Drain() == 0) {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, kIdleWait, [&] { return !completions_.empty(); });
    }
  }
  Drain();
  if (in_flight_ > 0) spdlog::warn("{} submits unanswered at stop; they stay pending and are sent again", in_flight_);
}

}  // namespace smsgw::sched
