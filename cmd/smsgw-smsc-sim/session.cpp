// One ESME connection to the simulator: bind, submit_sm with its faults, receipts.

#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>

#include "smpp/receipt.h"
#include "smsgw-smsc-sim/server_impl.h"

namespace smsgw::smsc_sim {

using boost::asio::ip::tcp;
using namespace smsgw::smpp;

namespace {

constexpr char kSmscSystemId[] = "smsgw-sim";

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
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  for (const auto& timer : timers_) timer->cancel();
  timers_.clear();
  server_->Forget(shared_from_this());
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
        if (!self->closed_ && !self->close_when_drained_) self->Read();
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
  switch (pdu.command_id()) {
    case kBindTransceiver:
      OnBind(pdu, *pdu.As<BindTransceiver>());
      return;
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
      ++server_->receipts_acked_;
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
  uint32_t status = ESME_ROK;
  if (bound_) {
    status = ESME_RALYBND;
  } else if (!o.system_id.empty() && bind.system_id != o.system_id) {
    status = ESME_RINVSYSID;
  } else if (!o.password.empty() && bind.password != o.password) {
    status = ESME_RINVPASWD;
  }
  if (status != ESME_ROK) {
    ++server_->bind_failures_;
    spdlog::info("smsc-sim: {} bind as '{}' refused: {}", peer_, bind.system_id,
                 CommandStatusName(status));
    Send(pdu.sequence_number, PduBody{BindTransceiverResp{}}, status);
    return;
  }
  bound_ = true;
  system_id_ = bind.system_id;
  ++server_->binds_;
  spdlog::info("smsc-sim: {} bound as '{}'", peer_, system_id_);
  Send(pdu.sequence_number, PduBody{BindTransceiverResp{kSmscSystemId, kInterfaceVersion34}});
}

void Session::OnSubmit(const Pdu& pdu, const SubmitSm& submit) {
  const ServerOptions& o = server_->options_;
  const uint64_t n = ++server_->submits_;
  if (!bound_) {
    Send(pdu.sequence_number, PduBody{SubmitSmResp{}}, ESME_RINVBNDSTS);
    return;
  }
  ++in_flight_;
  if (in_flight_ > server_->max_in_flight_.load()) server_->max_in_flight_ = in_flight_;

  uint32_t status = ESME_ROK;
  std::string message_id;
  if (o.throttle_every > 0 && n % static_cast<uint64_t>(o.throttle_every) == 0) {
    status = ESME_RTHROTTLED;
    ++server_->throttled_;
  } else if (!o.reject_prefix.empty() &&
             submit.destination_addr.compare(0, o.reject_prefix.size(), o.reject_prefix) == 0) {
    status = ESME_RSUBMITFAIL;
    ++server_->rejected_;
  } else {
    message_id = server_->NextMessageId();
  }
  if (o.response_delay_ms <= 0) {
    Respond(pdu.sequence_number, submit, status, message_id);
    return;
  }
  After(o.response_delay_ms, [self = shared_from_this(), seq = pdu.sequence_number, submit,
                              status, message_id] {
    self->Respond(seq, submit, status, message_id);
  });
}

void Session::Respond(uint32_t sequence_number, const SubmitSm& submit, uint32_t status,
                      const std::string& message_id) {
  --in_flight_;
  Send(sequence_number, PduBody{SubmitSmResp{message_id}}, status);
  if (status != ESME_ROK) return;
  // registered_delivery bits 0-1: 1 = any final receipt, 2 = failures only.
  const int wanted = submit.registered_delivery & 0x03;
  const bool failure = StateFromStat(server_->options_.receipt_stat) != ReceiptState::kDelivered;
  if (wanted == 1 || (wanted == 2 && failure)) {
    After(server_->options_.receipt_delay_ms,
          [self = shared_from_this(), submit, message_id, date = ReceiptDate()] {
            self->SendReceipt(submit, message_id, date);
          });
  }
}

void Session::SendReceipt(const SubmitSm& submit, const std::string& message_id,
                          const std::string& submit_date) {
  const std::string& stat = server_->options_.receipt_stat;
  const bool delivered = StateFromStat(stat) == ReceiptState::kDelivered;
  ReceiptText text;
  text.id = message_id;
  text.sub = "001";
  text.dlvrd = delivered ? "001" : "000";
  text.submit_date = submit_date;
  text.done_date = ReceiptDate();
  text.stat = stat;
  text.err = delivered ? "000" : "001";
  text.text = ReceiptSnippet(submit);

  DeliverSm receipt;
  receipt.source_addr_ton = submit.dest_addr_ton;
  receipt.source_addr_npi = submit.dest_addr_npi;
  receipt.source_addr = submit.destination_addr;
  receipt.dest_addr_ton = submit.source_addr_ton;
  receipt.dest_addr_npi = submit.source_addr_npi;
  receipt.destination_addr = submit.source_addr;
  receipt.esm_class = kEsmClassReceipt;
  receipt.short_message = FormatReceiptText(text);
  receipt.receipted_message_id = message_id;
  receipt.message_state = MessageStateFromStat(stat);
  if (receipt.short_message.size() > kMaxShortMessage) receipt.short_message.resize(254);

  const uint32_t seq = next_sequence_;
  next_sequence_ = next_sequence_ >= 0x7FFFFFFF ? 1 : next_sequence_ + 1;
  Send(seq, PduBody{std::move(receipt)});
  ++server_->receipts_sent_;
}

void Session::Send(uint32_t sequence_number, PduBody body, uint32_t status) {
  if (closed_) return;
  Result<std::string> bytes = Encode(Pdu{status, sequence_number, std::move(body)});
  if (!bytes.ok()) {
    spdlog::error("smsc-sim: cannot encode: {}", bytes.status().ToString());
    return;
  }
  write_queue_.push_back(std::move(bytes).value());
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
