// One ESME connection to the simulator: bind, submit_sm with its faults, receipts.

#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "auth/secret_compare.h"
#include "smpp/receipt.h"
#include "smsgw-smsc-sim/server_impl.h"

namespace smsgw::smsc_sim {

using boost::asio::ip::tcp;
using namespace smsgw::smpp;

namespace {

constexpr char kSmscSystemId[] = "smsgw-sim";
// Past this many PDUs queued for an ESME that does not read, the session stops reading its
// requests until the queue is down to a quarter (review F8).
constexpr size_t kReadPauseQueue = 256;

// YYMMDDhhmm in UTC, the Appendix B date format.
std::string ReceiptDate() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char out[16];
  std::strftime(out, sizeof out, "%y%m%d%H%M", &tm);
  return out;
}

// Appendix B's text: field is the first 20 characters of the message. Printable ASCII only, so
// UCS-2 or binary content does not end up as control characters in the receipt.
std::string ReceiptSnippet(const SubmitSm& submit) {
  std::string_view data = submit.Payload();
  if ((submit.esm_class & kEsmClassUdhi) != 0 && !data.empty()) {
    data.remove_prefix(std::min<size_t>(data.size(), 1 + static_cast<uint8_t>(data[0])));
  }
  std::string out;
  for (char c : data.substr(0, 20)) out.push_back(c >= 0x20 && c < 0x7F ? c : '.');
  return out;
}

// The id as a receipt text writes it (options.receipt_id_format), from the submit_sm_resp id.
std::string ReceiptIdText(const ServerOptions& o, const std::string& message_id) {
  if (o.receipt_id_format == "same" || o.receipt_id_format.empty()) return message_id;
  const unsigned long long n = std::strtoull(message_id.c_str(), nullptr, o.id_format == "dec" ? 10 : 16);
  char out[32];
  if (o.receipt_id_format == "hex") std::snprintf(out, sizeof out, "%llx", n);
  else if (o.receipt_id_format == "HEX") std::snprintf(out, sizeof out, "%llX", n);
  else if (o.receipt_id_format == "dec10") std::snprintf(out, sizeof out, "%010llu", n);
  else std::snprintf(out, sizeof out, "%llu", n);
  return out;
}

// Fires `fn` on the server's strand after `delay_ms`, whatever happens to the session that
// asked: receipts outlive the bind they were submitted on.
void ServerAfter(const std::shared_ptr<ServerImpl>& server, int delay_ms, std::function<void()> fn) {
  auto timer = std::make_shared<boost::asio::steady_timer>(server->strand_, std::chrono::milliseconds(delay_ms));
  server->timers_.insert(timer);
  timer->async_wait([server, timer, fn = std::move(fn)](const boost::system::error_code& ec) {
    server->timers_.erase(timer);
    if (!ec && !server->stopped_) fn();
  });
}

}  // namespace

Session::Session(std::shared_ptr<ServerImpl> server, tcp::socket socket)
    : server_(std::move(server)), socket_(std::move(socket)) {
  boost::system::error_code ec;
  const tcp::endpoint remote = socket_.remote_endpoint(ec);
  peer_ = ec ? "?" : remote.address().to_string() + ":" + std::to_string(remote.port());
}

void Session::Start() {
  spdlog::debug("smsc-sim: connection from {}", peer_);
  Read();
}

void Session::Close() {
  if (closed_) return;
  closed_ = true;
  bound_ = false;
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  for (const auto& timer : timers_) timer->cancel();
  timers_.clear();
  server_->Forget(shared_from_this());
  // What this bind was given and did not acknowledge goes to the next bind (review m20).
  std::map<uint32_t, Outgoing> unacked = std::move(unacked_);
  unacked_.clear();
  for (auto& [seq, out] : unacked) {
    out.resend = true;
    server_->Dispatch(std::move(out));
  }
  spdlog::debug("smsc-sim: {} closed", peer_);
}

void Session::Read() {
  socket_.async_read_some(
      boost::asio::buffer(read_buf_),
      [self = shared_from_this()](const boost::system::error_code& ec, size_t n) {
        if (self->closed_) return;
        if (ec) {
          self->Close();
          return;
        }
        self->decoder_.Feed(std::string_view(self->read_buf_.data(), n));
        while (!self->closed_) {
          Result<std::optional<std::string>> frame = self->decoder_.Next();
          if (!frame.ok()) {
            // Not SMPP: say so once and hang up, since frame boundaries are lost.
            spdlog::warn("smsc-sim: {}: {}", self->peer_, frame.status().message());
            self->Send(0, PduBody{GenericNack{}}, ESME_RINVCMDLEN);
            self->close_when_drained_ = true;
            return;
          }
          if (!frame->has_value()) break;
          self->OnFrame(**frame);
        }
        if (self->closed_ || self->close_when_drained_) return;
        if (self->write_queue_.size() >= kReadPauseQueue) {
          self->read_paused_ = true;  // resumed by StartWrite once the ESME reads (review F8)
          return;
        }
        self->Read();
      });
}

void Session::OnFrame(const std::string& frame) {
  Result<Pdu> pdu = Decode(frame);
  if (pdu.ok()) {
    OnPdu(*pdu);
    return;
  }
  const PduHeader header = ReadHeader(frame);
  spdlog::warn("smsc-sim: {}: {}", peer_, pdu.status().message());
  if ((header.command_id & kResponseBit) == 0) {
    Send(header.sequence_number, PduBody{GenericNack{}}, ESME_RINVCMDLEN);
  }
}

void Session::OnPdu(const Pdu& pdu) {
  const uint32_t seq = pdu.sequence_number;
  if (const BindTransceiver* bind = AsBind(pdu.body)) {
    OnBind(pdu, *bind);
    return;
  }
  switch (pdu.command_id()) {
    case kSubmitSm:
      OnSubmit(pdu, *pdu.As<SubmitSm>());
      return;
    case kEnquireLink:
      Send(seq, PduBody{EnquireLinkResp{}});
      return;
    case kUnbind:
      Send(seq, PduBody{UnbindResp{}});
      bound_ = false;
      close_when_drained_ = true;
      spdlog::info("smsc-sim: {} unbound", system_id_);
      return;
    case kDeliverSmResp:
      OnDeliverSmResp(pdu);
      return;
    case kGenericNack:
      spdlog::warn("smsc-sim: {}: generic_nack {} for seq {}", peer_,
                   CommandStatusName(pdu.command_status), seq);
      return;
    default:
      if ((pdu.command_id() & kResponseBit) == 0) {
        Send(seq, PduBody{GenericNack{}}, ESME_RINVCMDID);
      }
      return;
  }
}

void Session::OnBind(const Pdu& pdu, const BindTransceiver& bind) {
  const ServerOptions& o = server_->options_;
  const uint32_t id = pdu.command_id();
  auto reply = [&](uint32_t status, BindTransceiverResp body) {
    if (id == kBindTransmitter) {
      Send(pdu.sequence_number, PduBody{BindTransmitterResp{std::move(body)}}, status);
    } else if (id == kBindReceiver) {
      Send(pdu.sequence_number, PduBody{BindReceiverResp{std::move(body)}}, status);
    } else {
      Send(pdu.sequence_number, PduBody{std::move(body)}, status);
    }
  };
  uint32_t status = ESME_ROK;
  if (bound_) {
    status = ESME_RALYBND;
  } else if (!o.system_id.empty() && bind.system_id != o.system_id) {
    status = ESME_RINVSYSID;
  } else if (!o.password.empty() && !auth::SecretsEqual(bind.password, o.password)) {
    status = ESME_RINVPASWD;
  }
  if (status != ESME_ROK) {
    ++server_->bind_failures_;
    spdlog::info("smsc-sim: {} bind as '{}' refused: {}", peer_, bind.system_id,
                 CommandStatusName(status));
    reply(status, BindTransceiverResp{});
    return;
  }
  bound_ = true;
  receives_ = id != kBindTransmitter;
  transmits_ = id != kBindReceiver;
  system_id_ = bind.system_id;
  ++server_->binds_;
  spdlog::info("smsc-sim: {} bound as '{}' ({})", peer_, system_id_, CommandName(id));
  reply(ESME_ROK, BindTransceiverResp{kSmscSystemId, kInterfaceVersion34});
  if (receives_) server_->OnReceiverBound(shared_from_this());
}

void Session::OnSubmit(const Pdu& pdu, const SubmitSm& submit) {
  const ServerOptions& o = server_->options_;
  const uint64_t n = ++server_->submits_;
  if (!bound_ || !transmits_) {
    Send(pdu.sequence_number, PduBody{SubmitSmResp{}}, ESME_RINVBNDSTS);
    return;
  }
  ++in_flight_;
  if (in_flight_ > server_->max_in_flight_.load()) server_->max_in_flight_ = in_flight_;

  const std::optional<PartInfo> part = PartOf(submit);
  uint32_t status = ESME_ROK;
  if (o.fail_part > 0 && part && part->index == o.fail_part &&
      server_->failed_parts_.insert(part->key).second) {
    status = ESME_RSYSERR;  // this part of this message, the first time only
    ++server_->failed_transient_;
  } else {
    status = server_->Verdict(n, submit);
  }
  std::string message_id;
  if (status == ESME_RTHROTTLED) ++server_->throttled_;
  if (status == ESME_RSUBMITFAIL) ++server_->rejected_;
  if (status == ESME_ROK) {
    message_id = server_->NextMessageId();
    if (part) {
      server_->assembly_.Add(*part);
      server_->reassembled_ = server_->assembly_.complete();
      server_->duplicate_parts_ = server_->assembly_.duplicates();
      server_->reassembly_errors_ = server_->assembly_.errors();
    }
  }
  server_->LogSubmit(submit, status, message_id);
  const bool slow = o.slow_every > 0 && n % static_cast<uint64_t>(o.slow_every) == 0;
  const int delay = slow ? o.slow_ms : o.response_delay_ms;
  if (delay <= 0) {
    Respond(pdu.sequence_number, submit, status, message_id);
    return;
  }
  After(delay, [self = shared_from_this(), seq = pdu.sequence_number, submit, status, message_id] {
    self->Respond(seq, submit, status, message_id);
  });
}

void Session::Respond(uint32_t sequence_number, const SubmitSm& submit, uint32_t status,
                      const std::string& message_id) {
  --in_flight_;
  Send(sequence_number, PduBody{SubmitSmResp{message_id}}, status);
  if (status != ESME_ROK) return;
  ScheduleReceipt(submit, message_id);
  const int mo_every = server_->options_.mo_every;
  if (mo_every > 0 && server_->submits_ % static_cast<uint64_t>(mo_every) == 0) SendMo(submit);
}

void Session::ScheduleReceipt(const SubmitSm& submit, const std::string& message_id) {
  const ServerOptions& o = server_->options_;
  const std::string stat = server_->NextStat();
  // registered_delivery bits 0-1: 1 = any final receipt, 2 = failures only.
  const int wanted = submit.registered_delivery & 0x03;
  const bool delivered = StateFromStat(stat) == ReceiptState::kDelivered;
  if (!(wanted == 1 || (wanted == 2 && !delivered))) return;
  ReceiptText text;
  text.id = ReceiptIdText(o, message_id);
  text.sub = "001";
  text.dlvrd = delivered ? "001" : "000";
  text.submit_date = ReceiptDate();
  text.stat = stat;
  text.err = delivered ? "000" : "001";
  text.text = ReceiptSnippet(submit);

  Outgoing out;
  out.system_id = system_id_;
  DeliverSm& receipt = out.pdu;
  receipt.source_addr_ton = submit.dest_addr_ton;
  receipt.source_addr_npi = submit.dest_addr_npi;
  receipt.source_addr = submit.destination_addr;
  receipt.dest_addr_ton = submit.source_addr_ton;
  receipt.dest_addr_npi = submit.source_addr_npi;
  receipt.destination_addr = submit.source_addr;
  receipt.esm_class = kEsmClassReceipt;
  if (o.receipt_tlvs) {
    receipt.receipted_message_id = message_id;
    receipt.message_state = MessageStateFromStat(stat);
  }
  ServerAfter(server_, o.receipt_delay_ms, [server = server_, out = std::move(out), text]() mutable {
    text.done_date = ReceiptDate();
    out.pdu.short_message = FormatReceiptText(text);
    if (out.pdu.short_message.size() > kMaxShortMessage) out.pdu.short_message.resize(kMaxShortMessage);
    server->Dispatch(std::move(out));
  });
}

void Session::SendMo(const SubmitSm& submit) {
  Outgoing out;
  out.system_id = system_id_;
  out.pdu.source_addr_ton = submit.dest_addr_ton;
  out.pdu.source_addr_npi = submit.dest_addr_npi;
  out.pdu.source_addr = submit.destination_addr;
  out.pdu.destination_addr = submit.source_addr;
  out.pdu.short_message = "MO reply " + std::to_string(server_->submits_.load());
  server_->Dispatch(std::move(out));
}

void Session::Deliver(Outgoing out) {
  const uint32_t seq = next_sequence_;
  next_sequence_ = next_sequence_ >= 0x7FFFFFFF ? 1 : next_sequence_ + 1;
  const bool receipt = (out.pdu.esm_class & kEsmClassReceipt) != 0;
  if (receipt) {
    ++server_->receipts_sent_;
    if (out.resend) ++server_->receipts_resent_;
  } else if (!out.resend) {
    ++server_->mo_sent_;
  }
  Send(seq, PduBody{out.pdu});
  unacked_.emplace(seq, std::move(out));
}

void Session::OnDeliverSmResp(const Pdu& pdu) {
  auto it = unacked_.find(pdu.sequence_number);
  if (it == unacked_.end()) return;
  Outgoing out = std::move(it->second);
  unacked_.erase(it);
  if (pdu.command_status == ESME_ROK) {
    if ((out.pdu.esm_class & kEsmClassReceipt) != 0) ++server_->receipts_acked_;
    return;
  }
  // Refused (ESME_RX_T_APPN: the ESME could not record it): try again a little later.
  ++server_->receipts_refused_;
  out.resend = true;
  ServerAfter(server_, 500, [server = server_, out = std::move(out)]() mutable { server->Dispatch(std::move(out)); });
}

void Session::Send(uint32_t sequence_number, PduBody body, uint32_t status) {
  if (closed_) return;
  if (write_queue_.size() >= static_cast<size_t>(std::max(1, server_->options_.max_write_queue))) {
    spdlog::warn("smsc-sim: {} does not read ({} PDUs queued): closing", peer_, write_queue_.size());
    Close();
    return;
  }
  Result<std::string> bytes = Encode(Pdu{status, sequence_number, std::move(body)});
  if (!bytes.ok()) {
    spdlog::error("smsc-sim: cannot encode: {}", bytes.status().ToString());
    return;
  }
  write_queue_.push_back(std::move(bytes).value());
  if (write_queue_.size() > server_->max_write_queue_.load()) server_->max_write_queue_ = write_queue_.size();
  if (!writing_) StartWrite();
}

void Session::StartWrite() {
  writing_ = true;
  boost::asio::async_write(
      socket_, boost::asio::buffer(write_queue_.front()),
      [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
        self->writing_ = false;
        if (self->closed_) return;
        if (ec) {
          self->Close();
          return;
        }
        self->write_queue_.pop_front();
        if (self->read_paused_ && self->write_queue_.size() <= kReadPauseQueue / 4) {
          self->read_paused_ = false;
          self->Read();
        }
        if (!self->write_queue_.empty()) {
          self->StartWrite();
        } else if (self->close_when_drained_) {
          self->Close();
        }
      });
}

void Session::After(int delay_ms, std::function<void()> fn) {
  auto timer = std::make_shared<boost::asio::steady_timer>(server_->strand_,
                                                           std::chrono::milliseconds(delay_ms));
  timers_.insert(timer);
  timer->async_wait([self = shared_from_this(), timer, fn = std::move(fn)](
                        const boost::system::error_code& ec) {
    self->timers_.erase(timer);
    if (!ec && !self->closed_) fn();
  });
}

}  // namespace smsgw::smsc_sim
