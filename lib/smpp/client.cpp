#include "smpp/client.h"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "smpp/client_impl.h"
#include "smpp/submit_builder.h"

namespace smsgw::smpp {

Status SubmitResult::ToStatus() const {
  switch (kind) {
    case Kind::kOk: return Status::Ok();
    case Kind::kTransient: return Status::Unavailable(detail);
    case Kind::kPermanent: return Status::InvalidArgument(detail);
  }
  return Status::Internal(detail);
}

// ---- Client: posts everything onto the impls' strands ----

Client::Client(boost::asio::io_context& io, ClientConfig config) {
  const bool split = config.bind_mode == BindMode::kTransmitterReceiver;
  impl_ = std::make_shared<ClientImpl>(io, config, split ? ClientImpl::Role::kTransmitter : ClientImpl::Role::kTransceiver);
  if (split) rx_impl_ = std::make_shared<ClientImpl>(io, std::move(config), ClientImpl::Role::kReceiver);
}

Client::~Client() {
  for (const auto& impl : {impl_, rx_impl_}) {
    if (!impl) continue;
    impl->abandoned_ = true;
    boost::asio::post(impl->strand_, [impl] { impl->DoStop({}, /*abandon=*/true); });
  }
}

void Client::set_on_receipt(ReceiptHandler handler) {
  if (rx_impl_) rx_impl_->on_receipt_ = handler;
  impl_->on_receipt_ = std::move(handler);
}
void Client::set_on_mo(MoHandler handler) {
  if (rx_impl_) rx_impl_->on_mo_ = handler;
  impl_->on_mo_ = std::move(handler);
}
void Client::set_on_late_response(LateResponseHandler handler) { impl_->on_late_ = std::move(handler); }

void Client::Start() {
  for (const auto& impl : {impl_, rx_impl_}) {
    if (impl) boost::asio::post(impl->strand_, [impl] { impl->DoStart(); });
  }
}

void Client::Stop(std::function<void()> stopped) {
  // `stopped` runs once every link has stopped.
  auto left = std::make_shared<std::atomic<int>>(rx_impl_ ? 2 : 1);
  auto cb = std::make_shared<std::function<void()>>(std::move(stopped));
  for (const auto& impl : {impl_, rx_impl_}) {
    if (!impl) continue;
    boost::asio::post(impl->strand_, [impl, left, cb]() mutable {
      impl->DoStop(
          [left, cb] {
            if (--*left == 0 && *cb) (*cb)();
          },
          /*abandon=*/false);
    });
  }
}

void Client::Submit(SubmitRequest request, DoneHandler done) {
  boost::asio::post(impl_->strand_,
                    [impl = impl_, req = std::move(request), cb = std::move(done)]() mutable {
                      impl->DoSubmit(std::move(req), std::move(cb));
                    });
}

bool Client::bound() const { return impl_->bound_.load(); }

const ClientConfig& Client::config() const { return impl_->config_; }

ClientCounters Client::counters() const {
  ClientCounters c;
  for (const auto& impl : {impl_, rx_impl_}) {
    if (!impl) continue;
    const ClientImpl& i = *impl;
    c.submitted += i.submitted_.load();
    c.responses += i.responses_.load();
    c.receipts += i.receipts_.load();
    c.reconnects += i.reconnects_.load();
    c.timeouts += i.timeouts_.load();
    c.in_flight += i.in_flight_gauge_.load();
    c.queued += i.queued_gauge_.load();
    c.max_in_flight = std::max<uint64_t>(c.max_in_flight, i.max_in_flight_.load());
    c.late_responses += i.late_responses_.load();
    c.max_write_queue = std::max<uint64_t>(c.max_write_queue, i.max_write_queue_.load());
    c.refused_inbound += i.refused_inbound_.load();
  }
  return c;
}

// ---- ClientImpl: requests, the window and outcomes ----

ClientImpl::ClientImpl(boost::asio::io_context& io, ClientConfig config, Role role)
    : strand_(boost::asio::make_strand(io)),
      config_(std::move(config)),
      resolver_(strand_),
      connect_timer_(strand_),
      reconnect_timer_(strand_),
      enquire_timer_(strand_),
      inactivity_timer_(strand_),
      role_(role) {}

void ClientImpl::DoSubmit(SubmitRequest request, Client::DoneHandler done) {
  SubmitResult result;
  if (state_ != State::kBound || role_ == Role::kReceiver) {
    result.kind = SubmitResult::Kind::kTransient;
    result.detail = "not bound";
    done(std::move(result));
    return;
  }
  const uint16_t ref = request.concat_ref.value_or(next_concat_ref_);
  if (!request.concat_ref && request.parts.size() > 1) ++next_concat_ref_;
  Result<std::vector<SubmitSm>> pdus = BuildSubmitSms(request, ref, config_.long_messages);
  if (!pdus.ok()) {
    result.kind = SubmitResult::Kind::kPermanent;
    result.detail = pdus.status().message();
    done(std::move(result));
    return;
  }
  auto pending = std::make_shared<PendingRequest>();
  pending->pdus = std::move(pdus).value();
  pending->done = std::move(done);
  pending->tag = std::move(request.tag);
  pending->result.concat_ref = ref;
  pending->result.message_ids.resize(pending->pdus.size());
  // Parts accepted in an earlier attempt keep their ids and are not sent again; only a
  // per-part split can skip parts (one message_payload PDU is all or nothing).
  const bool per_part = pending->pdus.size() == request.parts.size();
  for (size_t i = 0; i < pending->pdus.size(); ++i) {
    if (per_part && i < request.done_ids.size() && !request.done_ids[i].empty()) {
      pending->result.message_ids[i] = request.done_ids[i];
      continue;
    }
    queue_.push_back(PartRef{pending, i});
    ++pending->unfinished;
  }
  if (pending->unfinished == 0) {
    Client::DoneHandler cb = std::move(pending->done);
    cb(std::move(pending->result));
    return;
  }
  Pump();
}

void ClientImpl::Pump() {
  const auto window = static_cast<size_t>(std::max(1, config_.window));
  while (state_ == State::kBound && submits_in_flight_ < window && !queue_.empty()) {
    PartRef part = std::move(queue_.front());
    queue_.pop_front();
    if (!part.request->result.ok()) {  // an earlier part failed: do not send the rest
      FinishPart(part);
      continue;
    }
    SubmitSm& sm = part.request->pdus[part.index];
    Send(PduBody{std::move(sm)}, Kind::kSubmit, part);
  }
  UpdateGauges();
}

uint32_t ClientImpl::Send(PduBody body, Kind kind, PartRef part) {
  const uint32_t seq = next_sequence_;
  // Sequence numbers run 1..0x7FFFFFFF and wrap (section 5.1.4).
  next_sequence_ = next_sequence_ >= 0x7FFFFFFF ? 1 : next_sequence_ + 1;
  Result<std::string> bytes = Encode(Pdu{ESME_ROK, seq, std::move(body)});
  if (!bytes.ok()) {
    spdlog::error("smpp[{}]: cannot encode request: {}", name(), bytes.status().ToString());
    if (kind == Kind::kSubmit) {
      FailPart(part, SubmitResult::Kind::kPermanent, 0, bytes.status().message());
      FinishPart(part);
    } else if (kind == Kind::kBind) {
      // No answer can come to a bind never sent: drop the link and try again after the
      // backoff, rather than sit connected and unbound for ever (review m7).
      CloseLink("cannot encode the bind: " + bytes.status().message());
    }
    return 0;
  }
  const int timeout_ms = kind == Kind::kUnbind ? config_.unbind_timeout_ms
                         : kind == Kind::kBind ? config_.bind_timeout_ms
                                               : config_.response_timeout_ms;
  Outstanding out;
  out.kind = kind;
  out.part = std::move(part);
  out.timer = std::make_unique<boost::asio::steady_timer>(strand_,
                                                          std::chrono::milliseconds(timeout_ms));
  out.timer->async_wait([self = shared_from_this(), seq](const boost::system::error_code& ec) {
    if (!ec) self->OnTimeout(seq);
  });
  outstanding_.emplace(seq, std::move(out));
  if (kind == Kind::kSubmit) {
    ++submits_in_flight_;
    ++submitted_;
    if (submits_in_flight_ > max_in_flight_.load()) max_in_flight_ = submits_in_flight_;
    UpdateGauges();
  }
  Write(std::move(bytes).value());
  return seq;
}

void ClientImpl::Reply(uint32_t sequence_number, PduBody body, uint32_t command_status) {
  Result<std::string> bytes = Encode(Pdu{command_status, sequence_number, std::move(body)});
  if (!bytes.ok()) {
    spdlog::error("smpp[{}]: cannot encode reply: {}", name(), bytes.status().ToString());
    return;
  }
  Write(std::move(bytes).value());
}

bool ClientImpl::TakeOutstanding(uint32_t sequence_number, Outstanding* out) {
  auto it = outstanding_.find(sequence_number);
  if (it == outstanding_.end()) return false;
  *out = std::move(it->second);
  outstanding_.erase(it);
  out->timer->cancel();
  if (out->kind == Kind::kSubmit) {
    --submits_in_flight_;
    UpdateGauges();  // before any `done` runs, so a caller reading counters() sees it
  }
  return true;
}

void ClientImpl::OnTimeout(uint32_t sequence_number) {
  Outstanding out;
  if (!TakeOutstanding(sequence_number, &out)) return;  // answered meanwhile
  switch (out.kind) {
    case Kind::kSubmit:
      ++timeouts_;
      spdlog::warn("smpp[{}]: no submit_sm_resp for seq {} within {} ms", name(),
                   sequence_number, config_.response_timeout_ms);
      // Its response may still come: remember which part it was (bounded, oldest dropped).
      late_.emplace(sequence_number, LateRef{out.part.request->tag, out.part.index});
      late_order_.push_back(sequence_number);
      while (late_order_.size() > kMaxLateRefs) {
        late_.erase(late_order_.front());
        late_order_.pop_front();
      }
      FailPart(out.part, SubmitResult::Kind::kTransient, 0, "timeout");
      FinishPart(out.part);
      Pump();
      return;
    case Kind::kBind:
      CloseLink("no bind response in time");
      return;
    case Kind::kEnquire:
      CloseLink("no enquire_link_resp in time");
      return;
    case Kind::kUnbind:
      CloseLink("no unbind_resp in time");
      return;
  }
}

void ClientImpl::FailPart(const PartRef& part, SubmitResult::Kind kind, uint32_t command_status,
                          const std::string& detail) {
  PendingRequest& req = *part.request;
  const bool first_failure = req.result.ok();
  if (first_failure || (kind == SubmitResult::Kind::kPermanent && req.result.transient())) {
    req.result.kind = kind;
    req.result.command_status = command_status;
    req.result.detail = detail;
  }
  if (!first_failure) return;
  // Unsent parts of this message are pointless now: drop them so `done` runs as soon as the
  // parts already on the wire are answered.
  size_t dropped = 0;
  std::erase_if(queue_, [&](const PartRef& p) {
    const bool mine = p.request == part.request;
    dropped += mine ? 1 : 0;
    return mine;
  });
  req.unfinished -= dropped;
}

void ClientImpl::FinishPart(const PartRef& part) {
  PendingRequest& req = *part.request;
  if (--req.unfinished > 0) return;
  Client::DoneHandler done = std::move(req.done);
  SubmitResult result = std::move(req.result);
  if (done) done(std::move(result));
}

void ClientImpl::FailAllRequests(const std::string& detail) {
  std::vector<std::pair<uint32_t, Outstanding>> outstanding;
  for (auto& entry : outstanding_) outstanding.emplace_back(entry.first, std::move(entry.second));
  outstanding_.clear();
  submits_in_flight_ = 0;
  std::deque<PartRef> queue = std::move(queue_);
  queue_.clear();
  // Complete in sending order, then the never-sent ones in FIFO order.
  std::sort(outstanding.begin(), outstanding.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [seq, out] : outstanding) {
    out.timer->cancel();
    if (out.kind != Kind::kSubmit) continue;
    FailPart(out.part, SubmitResult::Kind::kTransient, 0, detail);
    FinishPart(out.part);
  }
  for (const PartRef& part : queue) {
    FailPart(part, SubmitResult::Kind::kTransient, 0, detail);
    FinishPart(part);
  }
  UpdateGauges();
}

void ClientImpl::UpdateGauges() {
  in_flight_gauge_ = submits_in_flight_;
  queued_gauge_ = queue_.size();
}

}  // namespace smsgw::smpp
