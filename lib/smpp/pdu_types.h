#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace smsgw::smpp {

// command_id values (SMPP 3.4 section 5.1.2). A response id is its request id | 0x80000000.
inline constexpr uint32_t kGenericNack = 0x80000000;
inline constexpr uint32_t kBindReceiver = 0x00000001;
inline constexpr uint32_t kBindReceiverResp = 0x80000001;
inline constexpr uint32_t kBindTransmitter = 0x00000002;
inline constexpr uint32_t kBindTransmitterResp = 0x80000002;
inline constexpr uint32_t kSubmitSm = 0x00000004;
inline constexpr uint32_t kSubmitSmResp = 0x80000004;
inline constexpr uint32_t kDeliverSm = 0x00000005;
inline constexpr uint32_t kDeliverSmResp = 0x80000005;
inline constexpr uint32_t kUnbind = 0x00000006;
inline constexpr uint32_t kUnbindResp = 0x80000006;
inline constexpr uint32_t kBindTransceiver = 0x00000009;
inline constexpr uint32_t kBindTransceiverResp = 0x80000009;
inline constexpr uint32_t kEnquireLink = 0x00000015;
inline constexpr uint32_t kEnquireLinkResp = 0x80000015;
inline constexpr uint32_t kResponseBit = 0x80000000;

// Optional parameter tags (section 5.3.2) the codec understands; any other TLV is skipped.
inline constexpr uint16_t kTagReceiptedMessageId = 0x001E;
inline constexpr uint16_t kTagScInterfaceVersion = 0x0210;
inline constexpr uint16_t kTagMessagePayload = 0x0424;
inline constexpr uint16_t kTagMessageState = 0x0427;
inline constexpr uint16_t kTagSarMsgRefNum = 0x020C;
inline constexpr uint16_t kTagSarTotalSegments = 0x020E;
inline constexpr uint16_t kTagSarSegmentSeqnum = 0x020F;

// Header sizes and the limits the frame decoder enforces. 64 KiB is far above any sane PDU
// (a submit_sm with a full message_payload is a few KiB) yet bounds what garbage can make us
// buffer.
inline constexpr uint32_t kHeaderSize = 16;
inline constexpr uint32_t kMaxPduSize = 64 * 1024;
inline constexpr uint8_t kInterfaceVersion34 = 0x34;

// esm_class bits used by smsgw.
inline constexpr uint8_t kEsmClassReceipt = 0x04;  // deliver_sm carries an SMSC delivery receipt
inline constexpr uint8_t kEsmClassUdhi = 0x40;     // short_message starts with a UDH

// data_coding values smsgw sends.
inline constexpr uint8_t kDataCodingDefault = 0x00;  // SMSC default alphabet (GSM 03.38)
inline constexpr uint8_t kDataCodingUcs2 = 0x08;

// message_state TLV values (section 5.2.28).
enum class MessageState : uint8_t {
  kEnroute = 1,
  kDelivered = 2,
  kExpired = 3,
  kDeleted = 4,
  kUndeliverable = 5,
  kAccepted = 6,
  kUnknown = 7,
  kRejected = 8,
};

// C-octet string limits, counting the terminating NUL as the spec does.
inline constexpr size_t kMaxSystemId = 16;
inline constexpr size_t kMaxPassword = 9;
inline constexpr size_t kMaxSystemType = 13;
inline constexpr size_t kMaxAddressRange = 41;
inline constexpr size_t kMaxServiceType = 6;
inline constexpr size_t kMaxAddr = 21;
inline constexpr size_t kMaxTime = 17;
inline constexpr size_t kMaxMessageId = 65;
inline constexpr size_t kMaxShortMessage = 254;  // octets, no NUL

// Bodies. Byte strings (short_message, message_payload) are std::string holding raw octets.
struct BindTransceiver {
  std::string system_id;
  std::string password;
  std::string system_type;
  uint8_t interface_version = kInterfaceVersion34;
  uint8_t addr_ton = 0;
  uint8_t addr_npi = 0;
  std::string address_range;

  bool operator==(const BindTransceiver&) const = default;
};

struct BindTransceiverResp {
  std::string system_id;  // may be absent (empty) when command_status != 0
  std::optional<uint8_t> sc_interface_version;

  bool operator==(const BindTransceiverResp&) const = default;
};

// bind_transmitter and bind_receiver carry the same fields as bind_transceiver (section 4.1);
// only the command id differs, which the type says.
struct BindTransmitter : BindTransceiver {
  bool operator==(const BindTransmitter&) const = default;
};
struct BindReceiver : BindTransceiver {
  bool operator==(const BindReceiver&) const = default;
};
struct BindTransmitterResp : BindTransceiverResp {
  bool operator==(const BindTransmitterResp&) const = default;
};
struct BindReceiverResp : BindTransceiverResp {
  bool operator==(const BindReceiverResp&) const = default;
};

// The body shared by submit_sm and deliver_sm (sections 4.4.1 and 4.6.1).
struct ShortMessageFields {
  std::string service_type;
  uint8_t source_addr_ton = 0;
  uint8_t source_addr_npi = 0;
  std::string source_addr;
  uint8_t dest_addr_ton = 0;
  uint8_t dest_addr_npi = 0;
  std::string destination_addr;
  uint8_t esm_class = 0;
  uint8_t protocol_id = 0;
  uint8_t priority_flag = 0;
  std::string schedule_delivery_time;
  std::string validity_period;
  uint8_t registered_delivery = 0;
  uint8_t replace_if_present_flag = 0;
  uint8_t data_coding = 0;
  uint8_t sm_default_msg_id = 0;
  std::string short_message;  // at most 254 octets; empty when message_payload is used

  std::optional<std::string> message_payload;       // TLV 0x0424
  std::optional<std::string> receipted_message_id;  // TLV 0x001E (deliver_sm receipts)
  std::optional<uint8_t> message_state;             // TLV 0x0427 (deliver_sm receipts)
  // Concatenation by SAR TLVs (0x020C, 0x020E, 0x020F) instead of a UDH.
  std::optional<uint16_t> sar_msg_ref_num;
  std::optional<uint8_t> sar_total_segments;
  std::optional<uint8_t> sar_segment_seqnum;

  // short_message, or message_payload when short_message is empty: the user data to read.
  const std::string& Payload() const {
    return short_message.empty() && message_payload ? *message_payload : short_message;
  }

  bool operator==(const ShortMessageFields&) const = default;
};

struct SubmitSm : ShortMessageFields {
  bool operator==(const SubmitSm&) const = default;
};
struct DeliverSm : ShortMessageFields {
  bool operator==(const DeliverSm&) const = default;
};

struct SubmitSmResp {
  std::string message_id;  // empty (body absent) when command_status != 0
  bool operator==(const SubmitSmResp&) const = default;
};
struct DeliverSmResp {
  std::string message_id;  // always empty in SMPP 3.4
  bool operator==(const DeliverSmResp&) const = default;
};

// Header-only PDUs.
struct EnquireLink {
  bool operator==(const EnquireLink&) const = default;
};
struct EnquireLinkResp {
  bool operator==(const EnquireLinkResp&) const = default;
};
struct Unbind {
  bool operator==(const Unbind&) const = default;
};
struct UnbindResp {
  bool operator==(const UnbindResp&) const = default;
};
struct GenericNack {
  bool operator==(const GenericNack&) const = default;
};

// Any command the codec does not model (bind_transmitter, query_sm, data_sm, ...): kept so a
// peer can answer it with generic_nack or a matching error response.
struct UnknownPdu {
  uint32_t command_id = 0;
  std::string body;
  bool operator==(const UnknownPdu&) const = default;
};

using PduBody = std::variant<GenericNack, BindTransceiver, BindTransceiverResp, SubmitSm,
                             SubmitSmResp, DeliverSm, DeliverSmResp, EnquireLink, EnquireLinkResp,
                             Unbind, UnbindResp, UnknownPdu, BindTransmitter, BindTransmitterResp,
                             BindReceiver, BindReceiverResp>;

// The bind fields of any of the three bind requests, or null for another body.
const BindTransceiver* AsBind(const PduBody& body);

// One PDU. command_length is computed on encode and checked on decode, command_id follows from
// the body's type, so neither is stored.
struct Pdu {
  uint32_t command_status = 0;
  uint32_t sequence_number = 0;
  PduBody body;

  uint32_t command_id() const;
  bool operator==(const Pdu&) const = default;

  template <typename T>
  const T* As() const { return std::get_if<T>(&body); }
};

// The 16-octet header as read off the wire.
struct PduHeader {
  uint32_t command_length = 0;
  uint32_t command_id = 0;
  uint32_t command_status = 0;
  uint32_t sequence_number = 0;
};

// "submit_sm", "deliver_sm_resp", ... or "0x00000103" for ids the codec does not name.
std::string CommandName(uint32_t command_id);

}  // namespace smsgw::smpp
