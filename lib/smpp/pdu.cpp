#include "smpp/pdu.h"

#include <cstdio>
#include <type_traits>

#include "smpp/wire.h"

namespace smsgw::smpp {
namespace {

template <typename T>
constexpr uint32_t IdOf() {
  if constexpr (std::is_same_v<T, GenericNack>) return kGenericNack;
  if constexpr (std::is_same_v<T, BindTransceiver>) return kBindTransceiver;
  if constexpr (std::is_same_v<T, BindTransceiverResp>) return kBindTransceiverResp;
  if constexpr (std::is_same_v<T, SubmitSm>) return kSubmitSm;
  if constexpr (std::is_same_v<T, SubmitSmResp>) return kSubmitSmResp;
  if constexpr (std::is_same_v<T, DeliverSm>) return kDeliverSm;
  if constexpr (std::is_same_v<T, DeliverSmResp>) return kDeliverSmResp;
  if constexpr (std::is_same_v<T, EnquireLink>) return kEnquireLink;
  if constexpr (std::is_same_v<T, EnquireLinkResp>) return kEnquireLinkResp;
  if constexpr (std::is_same_v<T, Unbind>) return kUnbind;
  if constexpr (std::is_same_v<T, UnbindResp>) return kUnbindResp;
  if constexpr (std::is_same_v<T, BindTransmitter>) return kBindTransmitter;
  if constexpr (std::is_same_v<T, BindTransmitterResp>) return kBindTransmitterResp;
  if constexpr (std::is_same_v<T, BindReceiver>) return kBindReceiver;
  if constexpr (std::is_same_v<T, BindReceiverResp>) return kBindReceiverResp;
  return 0;
}

void EncodeBody(wire::Writer& w, const BindTransceiver& b) {
  w.CString("system_id", b.system_id, kMaxSystemId);
  w.CString("password", b.password, kMaxPassword);
  w.CString("system_type", b.system_type, kMaxSystemType);
  w.U8(b.interface_version);
  w.U8(b.addr_ton);
  w.U8(b.addr_npi);
  w.CString("address_range", b.address_range, kMaxAddressRange);
}

void EncodeBody(wire::Writer& w, const BindTransceiverResp& b) {
  w.CString("system_id", b.system_id, kMaxSystemId);
  if (b.sc_interface_version) {
    w.Tlv(kTagScInterfaceVersion, std::string(1, static_cast<char>(*b.sc_interface_version)));
  }
}

void EncodeBody(wire::Writer& w, const ShortMessageFields& m) {
  w.CString("service_type", m.service_type, kMaxServiceType);
  w.U8(m.source_addr_ton);
  w.U8(m.source_addr_npi);
  w.CString("source_addr", m.source_addr, kMaxAddr);
  w.U8(m.dest_addr_ton);
  w.U8(m.dest_addr_npi);
  w.CString("destination_addr", m.destination_addr, kMaxAddr);
  w.U8(m.esm_class);
  w.U8(m.protocol_id);
  w.U8(m.priority_flag);
  w.CString("schedule_delivery_time", m.schedule_delivery_time, kMaxTime);
  w.CString("validity_period", m.validity_period, kMaxTime);
  w.U8(m.registered_delivery);
  w.U8(m.replace_if_present_flag);
  w.U8(m.data_coding);
  w.U8(m.sm_default_msg_id);
  if (m.short_message.size() > kMaxShortMessage) {
    w.Fail("short_message: " + std::to_string(m.short_message.size()) +
           " octets, limit 254 (use message_payload)");
  }
  w.U8(static_cast<uint8_t>(m.short_message.size()));
  w.Bytes(m.short_message);
  if (m.receipted_message_id) {
    // A C-octet string inside a TLV: the NUL is part of the value.
    if (m.receipted_message_id->size() + 1 > kMaxMessageId) {
      w.Fail("receipted_message_id: longer than 64 octets");
    }
    w.Tlv(kTagReceiptedMessageId, std::string(*m.receipted_message_id) + '\0');
  }
  if (m.message_state) {
    w.Tlv(kTagMessageState, std::string(1, static_cast<char>(*m.message_state)));
  }
  if (m.message_payload) w.Tlv(kTagMessagePayload, *m.message_payload);
  if (m.sar_msg_ref_num) {
    w.Tlv(kTagSarMsgRefNum, std::string{static_cast<char>(*m.sar_msg_ref_num >> 8),
                                        static_cast<char>(*m.sar_msg_ref_num & 0xFF)});
  }
  if (m.sar_total_segments) w.Tlv(kTagSarTotalSegments, std::string(1, static_cast<char>(*m.sar_total_segments)));
  if (m.sar_segment_seqnum) w.Tlv(kTagSarSegmentSeqnum, std::string(1, static_cast<char>(*m.sar_segment_seqnum)));
}

void EncodeBody(wire::Writer& w, const SubmitSmResp& b) {
  w.CString("message_id", b.message_id, kMaxMessageId);
}
void EncodeBody(wire::Writer& w, const DeliverSmResp& b) {
  w.CString("message_id", b.message_id, kMaxMessageId);
}
void EncodeBody(wire::Writer& w, const UnknownPdu& b) { w.Bytes(b.body); }
void EncodeBody(wire::Writer& w, const SubmitSm& b) {
  EncodeBody(w, static_cast<const ShortMessageFields&>(b));
}
void EncodeBody(wire::Writer& w, const DeliverSm& b) {
  EncodeBody(w, static_cast<const ShortMessageFields&>(b));
}
void EncodeBody(wire::Writer& w, const BindTransmitter& b) { EncodeBody(w, static_cast<const BindTransceiver&>(b)); }
void EncodeBody(wire::Writer& w, const BindReceiver& b) { EncodeBody(w, static_cast<const BindTransceiver&>(b)); }
void EncodeBody(wire::Writer& w, const BindTransmitterResp& b) {
  EncodeBody(w, static_cast<const BindTransceiverResp&>(b));
}
void EncodeBody(wire::Writer& w, const BindReceiverResp& b) {
  EncodeBody(w, static_cast<const BindTransceiverResp&>(b));
}
// Header-only PDUs.
void EncodeBody(wire::Writer&, const GenericNack&) {}
void EncodeBody(wire::Writer&, const EnquireLink&) {}
void EncodeBody(wire::Writer&, const EnquireLinkResp&) {}
void EncodeBody(wire::Writer&, const Unbind&) {}
void EncodeBody(wire::Writer&, const UnbindResp&) {}

// TLVs after the mandatory fields. Only the ones smsgw uses are kept.
void DecodeTlvs(wire::Reader& r, ShortMessageFields* m, BindTransceiverResp* bind_resp) {
  // Fewer than 4 octets cannot hold a TLV header: padding some SMSCs add after the last TLV
  // (review m8). Ignored, as responses' trailing octets are.
  while (!r.failed() && r.remaining() >= 4) {
    uint16_t tag = r.U16("TLV tag");
    uint16_t len = r.U16("TLV length");
    std::string value = r.Bytes("TLV value", len);
    if (r.failed()) return;
    if (m != nullptr && tag == kTagMessagePayload) {
      m->message_payload = std::move(value);
    } else if (m != nullptr && tag == kTagReceiptedMessageId) {
      // C-octet string: drop the NUL and anything after it; tolerate a missing NUL.
      m->receipted_message_id = value.substr(0, value.find('\0'));
    } else if (m != nullptr && tag == kTagMessageState && len == 1) {
      m->message_state = static_cast<uint8_t>(value[0]);
    } else if (m != nullptr && tag == kTagSarMsgRefNum && len == 2) {
      m->sar_msg_ref_num = static_cast<uint16_t>((static_cast<uint8_t>(value[0]) << 8) | static_cast<uint8_t>(value[1]));
    } else if (m != nullptr && tag == kTagSarTotalSegments && len == 1) {
      m->sar_total_segments = static_cast<uint8_t>(value[0]);
    } else if (m != nullptr && tag == kTagSarSegmentSeqnum && len == 1) {
      m->sar_segment_seqnum = static_cast<uint8_t>(value[0]);
    } else if (bind_resp != nullptr && tag == kTagScInterfaceVersion && len == 1) {
      bind_resp->sc_interface_version = static_cast<uint8_t>(value[0]);
    }
  }
}

void DecodeFields(wire::Reader& r, ShortMessageFields& m) {
  m.service_type = r.CString("service_type", kMaxServiceType);
  m.source_addr_ton = r.U8("source_addr_ton");
  m.source_addr_npi = r.U8("source_addr_npi");
  m.source_addr = r.CString("source_addr", kMaxAddr);
  m.dest_addr_ton = r.U8("dest_addr_ton");
  m.dest_addr_npi = r.U8("dest_addr_npi");
  m.destination_addr = r.CString("destination_addr", kMaxAddr);
  m.esm_class = r.U8("esm_class");
  m.protocol_id = r.U8("protocol_id");
  m.priority_flag = r.U8("priority_flag");
  m.schedule_delivery_time = r.CString("schedule_delivery_time", kMaxTime);
  m.validity_period = r.CString("validity_period", kMaxTime);
  m.registered_delivery = r.U8("registered_delivery");
  m.replace_if_present_flag = r.U8("replace_if_present_flag");
  m.data_coding = r.U8("data_coding");
  m.sm_default_msg_id = r.U8("sm_default_msg_id");
  uint8_t sm_length = r.U8("sm_length");
  if (sm_length > kMaxShortMessage) r.Fail("sm_length: 255 exceeds 254");
  m.short_message = r.Bytes("short_message", sm_length);
  DecodeTlvs(r, &m, nullptr);
}

BindTransceiver DecodeBind(wire::Reader& r) {
  BindTransceiver b;
  b.system_id = r.CString("system_id", kMaxSystemId);
  b.password = r.CString("password", kMaxPassword);
  b.system_type = r.CString("system_type", kMaxSystemType);
  b.interface_version = r.U8("interface_version");
  b.addr_ton = r.U8("addr_ton");
  b.addr_npi = r.U8("addr_npi");
  b.address_range = r.CString("address_range", kMaxAddressRange);
  return b;
}

BindTransceiverResp DecodeBindResp(wire::Reader& r) {
  BindTransceiverResp b;
  // An error response may come without a body at all.
  if (r.remaining() > 0) b.system_id = r.CString("system_id", kMaxSystemId);
  DecodeTlvs(r, nullptr, &b);
  return b;
}

PduBody DecodeBody(uint32_t command_id, wire::Reader& r, std::string_view body) {
  switch (command_id) {
    case kGenericNack: return PduBody{GenericNack{}};
    case kEnquireLink: return PduBody{EnquireLink{}};
    case kEnquireLinkResp: return PduBody{EnquireLinkResp{}};
    case kUnbind: return PduBody{Unbind{}};
    case kUnbindResp: return PduBody{UnbindResp{}};
    case kBindTransceiver: return PduBody{DecodeBind(r)};
    case kBindTransmitter: return PduBody{BindTransmitter{DecodeBind(r)}};
    case kBindReceiver: return PduBody{BindReceiver{DecodeBind(r)}};
    case kBindTransceiverResp: return PduBody{DecodeBindResp(r)};
    case kBindTransmitterResp: return PduBody{BindTransmitterResp{DecodeBindResp(r)}};
    case kBindReceiverResp: return PduBody{BindReceiverResp{DecodeBindResp(r)}};
    case kSubmitSm: {
      SubmitSm m;
      DecodeFields(r, m);
      return PduBody{std::move(m)};
    }
    case kDeliverSm: {
      DeliverSm m;
      DecodeFields(r, m);
      return PduBody{std::move(m)};
    }
    case kSubmitSmResp: {
      SubmitSmResp b;
      if (r.remaining() > 0) b.message_id = r.CString("message_id", kMaxMessageId);
      return PduBody{std::move(b)};
    }
    case kDeliverSmResp: {
      DeliverSmResp b;
      if (r.remaining() > 0) b.message_id = r.CString("message_id", kMaxMessageId);
      return PduBody{std::move(b)};
    }
    default:
      return PduBody{UnknownPdu{command_id, std::string(body)}};
  }
}

}  // namespace

const BindTransceiver* AsBind(const PduBody& body) {
  if (const auto* b = std::get_if<BindTransceiver>(&body)) return b;
  if (const auto* b = std::get_if<BindTransmitter>(&body)) return b;
  if (const auto* b = std::get_if<BindReceiver>(&body)) return b;
  return nullptr;
}

uint32_t Pdu::command_id() const {
  return std::visit(
      [](const auto& b) -> uint32_t {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, UnknownPdu>) {
          return b.command_id;
        } else {
          return IdOf<T>();
        }
      },
      body);
}

std::string CommandName(uint32_t command_id) {
  switch (command_id) {
    case kGenericNack: return "generic_nack";
    case kBindReceiver: return "bind_receiver";
    case kBindReceiverResp: return "bind_receiver_resp";
    case kBindTransmitter: return "bind_transmitter";
    case kBindTransmitterResp: return "bind_transmitter_resp";
    case kBindTransceiver: return "bind_transceiver";
    case kBindTransceiverResp: return "bind_transceiver_resp";
    case kSubmitSm: return "submit_sm";
    case kSubmitSmResp: return "submit_sm_resp";
    case kDeliverSm: return "deliver_sm";
    case kDeliverSmResp: return "deliver_sm_resp";
    case kEnquireLink: return "enquire_link";
    case kEnquireLinkResp: return "enquire_link_resp";
    case kUnbind: return "unbind";
    case kUnbindResp: return "unbind_resp";
    default: {
      char hex[16];
      std::snprintf(hex, sizeof hex, "0x%08X", command_id);
      return hex;
    }
  }
}

Result<std::string> Encode(const Pdu& pdu) {
  std::string out;
  out.reserve(64);
  wire::Writer w(out);
  w.U32(0);  // command_length, patched below
  w.U32(pdu.command_id());
  w.U32(pdu.command_status);
  w.U32(pdu.sequence_number);
  std::visit([&w](const auto& b) { EncodeBody(w, b); }, pdu.body);
  if (!w.status().ok()) return w.status().WithContext(CommandName(pdu.command_id()));
  if (out.size() > kMaxPduSize) {
    return Status::InvalidArgument(CommandName(pdu.command_id()) + ": " +
                                   std::to_string(out.size()) + " octets exceeds the PDU limit");
  }
  const auto len = static_cast<uint32_t>(out.size());
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(len >> (24 - 8 * i));
  return out;
}

PduHeader ReadHeader(std::string_view frame) {
  wire::Reader r(frame.substr(0, kHeaderSize));
  PduHeader h;
  h.command_length = r.U32("command_length");
  h.command_id = r.U32("command_id");
  h.command_status = r.U32("command_status");
  h.sequence_number = r.U32("sequence_number");
  return h;
}

Result<Pdu> Decode(std::string_view frame) {
  if (frame.size() < kHeaderSize) {
    return Status::InvalidArgument("PDU: " + std::to_string(frame.size()) +
                                   " octets is shorter than the header");
  }
  PduHeader h = ReadHeader(frame);
  if (h.command_length != frame.size()) {
    return Status::InvalidArgument("PDU: command_length " + std::to_string(h.command_length) +
                                   " but frame has " + std::to_string(frame.size()) + " octets");
  }
  std::string_view body = frame.substr(kHeaderSize);
  wire::Reader r(body);
  PduBody decoded = DecodeBody(h.command_id, r, body);
  if (!r.status().ok()) return r.status().WithContext(CommandName(h.command_id));
  // Trailing octets after a header-only PDU or a response are tolerated: some SMSCs pad them.
  return Pdu{h.command_status, h.sequence_number, std::move(decoded)};
}

void FrameDecoder::Feed(std::string_view bytes) {
  if (!error_.ok()) return;
  // Drop the consumed prefix before growing, so the buffer stays about one frame long.
  if (pos_ > 0 && pos_ * 2 >= buffer_.size()) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  buffer_.append(bytes);
}

Result<std::optional<std::string>> FrameDecoder::Next() {
  if (!error_.ok()) return error_;
  if (buffered() < 4) return std::optional<std::string>{};
  std::string_view rest(buffer_.data() + pos_, buffered());
  const auto b = [&](int i) { return static_cast<uint32_t>(static_cast<uint8_t>(rest[i])); };
  const uint32_t len = (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
  if (len < kHeaderSize || len > kMaxPduSize) {
    error_ = Status::InvalidArgument("SMPP stream: command_length " + std::to_string(len) +
                                     " outside [16, 65536]");
    buffer_.clear();
    pos_ = 0;
    return error_;
  }
  if (rest.size() < len) return std::optional<std::string>{};
  std::string frame(rest.substr(0, len));
  pos_ += len;
  if (pos_ == buffer_.size()) {
    buffer_.clear();
    pos_ = 0;
  }
  return std::optional<std::string>{std::move(frame)};
}

}  // namespace smsgw::smpp
