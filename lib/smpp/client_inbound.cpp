// ClientImpl: what the SMSC sends us.

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "smpp/client_impl.h"

namespace smsgw::smpp {

void ClientImpl::OnFrame(const std::string& frame) {
  Result<Pdu> pdu = Decode(frame);
  if (pdu.ok()) {
    OnPdu(*pdu);
    return;
  }
  const PduHeader header = ReadHeader(frame);
  spdlog::warn("smpp[{}]: undecodable PDU from the SMSC: {}", name(), pdu.status().message());
  // A malformed response is left to its timeout; a malformed request gets generic_nack.
  if ((header.command_id & kResponseBit) == 0) {
    Reply(header.sequence_number, PduBody{GenericNack{}}, ESME_RINVCMDLEN);
  }
}

void ClientImpl::OnPdu(const Pdu& pdu) {
  const uint32_t id = pdu.command_id();
  const uint32_t seq = pdu.sequence_number;
  switch (id) {
    case kEnquireLink:
      Reply(seq, PduBody{EnquireLinkResp{}});
      return;
    case kDeliverSm:
      OnDeliverSm(pdu, *pdu.As<DeliverSm>());
      return;
    case kUnbind:
      Reply(seq, PduBody{UnbindResp{}});
      if (link_) link_->close_when_drained = true;
      CloseLink("the SMSC unbound");
      return;
    case kGenericNack:
      OnGenericNack(pdu);
      return;
    case kBindTransceiverResp:
    case kBindTransmitterResp:
    case kBindReceiverResp:
    case kSubmitSmResp:
    case kEnquireLinkResp:
    case kUnbindResp:
      break;
    default:
      if ((id & kResponseBit) != 0) {
        spdlog::debug("smpp[{}]: ignoring {}", name(), CommandName(id));
      } else {
        spdlog::debug("smpp[{}]: answering unsupported {} with generic_nack", name(),
                      CommandName(id));
        Reply(seq, PduBody{GenericNack{}}, ESME_RINVCMDID);
      }
      return;
  }

  Outstanding out;
  if (!TakeOutstanding(seq, &out)) {
    if (id == kSubmitSmResp) {
      OnLateSubmitResp(pdu);
      return;
    }
    spdlog::debug("smpp[{}]: {} for unknown or timed-out seq {}", name(), CommandName(id), seq);
    return;
  }
  const bool is_bind_resp = id == kBindTransceiverResp || id == kBindTransmitterResp || id == kBindReceiverResp;
  const bool matches = (out.kind == Kind::kBind && is_bind_resp) ||
                       (out.kind == Kind::kSubmit && id == kSubmitSmResp) ||
                       (out.kind == Kind::kEnquire && id == kEnquireLinkResp) ||
                       (out.kind == Kind::kUnbind && id == kUnbindResp);
  if (!matches) {
    if (out.kind == Kind::kSubmit) {
      FailPart(out.part, SubmitResult::Kind::kTransient, 0, "unexpected " + CommandName(id));
      FinishPart(out.part);
    }
    CloseLink("protocol error: " + CommandName(id) + " answers another request");
    return;
  }
  switch (out.kind) {
    case Kind::kBind:
      OnBindResp(pdu, std::move(out));
      return;
    case Kind::kSubmit:
      OnSubmitResp(pdu, std::move(out));
      return;
    case Kind::kEnquire:
      return;
    case Kind::kUnbind:
      CloseLink("unbound");
      return;
  }
}

void ClientImpl::OnBindResp(const Pdu& pdu, Outstanding) {
  if (pdu.command_status != ESME_ROK) {
    spdlog::error("smpp[{}]: bind as {} refused: {}", name(), config_.system_id,
                  CommandStatusName(pdu.command_status));
    CloseLink("bind refused: " + CommandStatusName(pdu.command_status));
    return;
  }
  OnBound();
}

void ClientImpl::OnSubmitResp(const Pdu& pdu, Outstanding out) {
  ++responses_;
  const uint32_t status = pdu.command_status;
  if (status == ESME_ROK) {
    // An empty id is kept empty: the caller records the message as submitted with nothing a
    // receipt could match (review F9), rather than under a key all such messages share.
    out.part.request->result.message_ids[out.part.index] = pdu.As<SubmitSmResp>()->message_id;
    FinishPart(out.part);
    Pump();
    return;
  }
  // ESME_RINVBNDSTS means the SMSC no longer sees our bind: the message is fine, the session
  // is not, so retry it and rebind.
  const bool lost_bind = status == ESME_RINVBNDSTS;
  const auto kind = IsTransient(status) || lost_bind ? SubmitResult::Kind::kTransient
                                                     : SubmitResult::Kind::kPermanent;
  spdlog::debug("smpp[{}]: submit_sm seq {} refused: {}", name(), pdu.sequence_number,
                CommandStatusName(status));
  FailPart(out.part, kind, status, CommandStatusName(status));
  FinishPart(out.part);
  if (lost_bind) {
    CloseLink("the SMSC says we are not bound");
    return;
  }
  Pump();
}

void ClientImpl::OnGenericNack(const Pdu& pdu) {
  Outstanding out;
  if (!TakeOutstanding(pdu.sequence_number, &out)) {
    spdlog::warn("smpp[{}]: generic_nack {} for seq {} we are not waiting on", name(),
                 CommandStatusName(pdu.command_status), pdu.sequence_number);
    return;
  }
  const uint32_t status = pdu.command_status != ESME_ROK ? pdu.command_status : ESME_RINVCMDID;
  const std::string detail = "generic_nack " + CommandStatusName(status);
  switch (out.kind) {
    case Kind::kSubmit:
      ++responses_;
      FailPart(out.part,
               IsTransient(status) ? SubmitResult::Kind::kTransient
                                   : SubmitResult::Kind::kPermanent,
               status, detail);
      FinishPart(out.part);
      Pump();
      return;
    case Kind::kBind:
      spdlog::error("smpp[{}]: bind_transceiver refused: {}", name(), detail);
      CloseLink("bind refused: " + detail);
      return;
    case Kind::kEnquire:
      // The SMSC answered, so the link is alive even if it does not do enquire_link.
      spdlog::debug("smpp[{}]: enquire_link answered with {}", name(), detail);
      return;
    case Kind::kUnbind:
      CloseLink("unbind answered with " + detail);
      return;
  }
}

Client::Ack ClientImpl::MakeAck(const std::shared_ptr<Link>& link, uint32_t sequence_number) {
  ++unacked_inbound_;
  auto once = std::make_shared<std::atomic<bool>>(false);
  std::weak_ptr<ClientImpl> weak = shared_from_this();
  std::weak_ptr<Link> weak_link = link;
  return [weak, weak_link, sequence_number, once](bool recorded) {
    if (once->exchange(true)) return;
    std::shared_ptr<ClientImpl> self = weak.lock();
    if (!self) return;
    boost::asio::post(self->strand_, [self, weak_link, sequence_number, recorded] {
      --self->unacked_inbound_;
      std::shared_ptr<Link> link = weak_link.lock();
      // On a link replaced meanwhile the answer cannot go out: the SMSC sends it again.
      if (!link || link != self->link_) return;
      if (!recorded) ++self->refused_inbound_;
      self->Reply(sequence_number, PduBody{DeliverSmResp{}}, recorded ? ESME_ROK : ESME_RX_T_APPN);
    });
  };
}

void ClientImpl::OnDeliverSm(const Pdu& pdu, const DeliverSm& deliver) {
  const uint32_t seq = pdu.sequence_number;
  if (unacked_inbound_ >= static_cast<size_t>(std::max(1, config_.max_unacked_inbound))) {
    // The recorder is behind: refuse now, the SMSC retries later, our memory stays bounded.
    ++refused_inbound_;
    Reply(seq, PduBody{DeliverSmResp{}}, ESME_RX_T_APPN);
    return;
  }
  if ((deliver.esm_class & kEsmClassReceipt) != 0) {
    Result<Receipt> receipt = ReceiptFromDeliverSm(deliver);
    if (!receipt.ok()) {
      spdlog::warn("smpp[{}]: unusable receipt: {}", name(), receipt.status().message());
    } else {
      ++receipts_;
      if (on_receipt_ && !abandoned_) {
        on_receipt_(*receipt, MakeAck(link_, seq));
        return;
      }
    }
  } else if (on_mo_ && !abandoned_) {
    on_mo_(deliver, MakeAck(link_, seq));
    return;
  } else {
    spdlog::debug("smpp[{}]: ignoring MO message from {} to {}", name(), deliver.source_addr,
                  deliver.destination_addr);
  }
  Reply(seq, PduBody{DeliverSmResp{}});
}

void ClientImpl::OnLateSubmitResp(const Pdu& pdu) {
  auto it = late_.find(pdu.sequence_number);
  if (it == late_.end()) {
    spdlog::debug("smpp[{}]: submit_sm_resp for unknown seq {}", name(), pdu.sequence_number);
    return;
  }
  LateRef ref = std::move(it->second);
  late_.erase(it);
  const std::string& id = pdu.As<SubmitSmResp>()->message_id;
  if (pdu.command_status != ESME_ROK || id.empty()) return;
  ++late_responses_;
  spdlog::info("smpp[{}]: late submit_sm_resp for seq {}: the SMSC took it as {}", name(), pdu.sequence_number, id);
  if (on_late_ && !abandoned_) on_late_(ref.tag, ref.index, id);
}

}  // namespace smsgw::smpp
