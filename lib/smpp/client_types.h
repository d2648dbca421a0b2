#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "smpp/pdu_types.h"

namespace smsgw::smpp {

// How the ESME binds: one transceiver session, or a transmitter for submits plus a receiver
// for deliver_sm (for SMSCs that offer no transceiver binds).
enum class BindMode { kTransceiver, kTransmitterReceiver };

// How a message of several parts goes out: one submit_sm per part with a concatenation UDH
// (the default), one per part with the SAR TLVs, or one submit_sm with the whole message in
// message_payload (for SMSCs that split themselves).
enum class LongMessages { kUdh, kSar, kPayload };

// One SMSC link. Durations carry their unit in the name; tests shrink them.
struct ClientConfig {
  std::string operator_name = "smsc";  // names the link in logs
  std::string host = "127.0.0.1";
  uint16_t port = 2775;
  std::string system_id;
  std::string password;
  std::string system_type;
  int window = 10;                  // max submit_sm awaiting submit_sm_resp (>= 1)
  int enquire_link_s = 30;          // keep-alive period while bound; 0 disables
  int response_timeout_ms = 10000;  // for every request we send after the bind, and for TCP connect
  int bind_timeout_ms = 10000;      // for the bind response
  int inactivity_timeout_ms = 90000;  // no PDU at all from the SMSC this long: the link is dead; 0 disables
  int reconnect_initial_ms = 1000;  // first wait after a drop or failed bind, then doubled...
  int reconnect_max_ms = 30000;     // ...up to this
  int unbind_timeout_ms = 1000;     // how long Stop() waits for unbind_resp
  BindMode bind_mode = BindMode::kTransceiver;
  LongMessages long_messages = LongMessages::kUdh;
  // Bounds against a peer that sends requests and does not read our answers (review F8): past
  // kReadPauseQueue queued PDUs the link stops reading (TCP pushes back on the peer); past
  // max_write_queue it is closed.
  int max_write_queue = 4096;
  // deliver_sm handed to on_receipt/on_mo and not yet acknowledged; past it new ones are
  // answered ESME_RX_T_APPN at once, so the SMSC sends them again later.
  int max_unacked_inbound = 10000;
};

// One message to send. `parts` are already encoded for `data_coding` and already split: one
// part goes out as a plain short_message, several as concatenated parts (see udh.h).
struct SubmitRequest {
  std::string source_addr;             // "+4915...", "12345" or an alphanumeric "ACME"
  std::optional<uint8_t> source_ton;   // override what SourceAddress() derives
  std::optional<uint8_t> source_npi;
  std::string dest_addr;               // E.164 "+4915..."
  uint8_t data_coding = kDataCodingDefault;  // 0 GSM-7 default alphabet, 8 UCS-2
  std::vector<std::string> parts;
  std::optional<uint8_t> dest_ton;     // override what DestinationAddress() derives
  std::optional<uint8_t> dest_npi;
  std::string service_type;            // service_type of each submit_sm ("" default)
  uint8_t registered_delivery = 1;     // 1: ask for a final receipt
  std::string validity_period;         // SMPP time ("000000001000000R": 10 minutes), "" none
  // Concatenation reference (UDH: its low 8 bits; SAR: all 16); default: a per-client counter.
  // A message sent again after some parts were accepted keeps its first reference.
  std::optional<uint16_t> concat_ref;
  // Parts the SMSC already accepted in an earlier attempt: a non-empty id at index i means part
  // i is not sent again and that id is reported for it (review m19). Empty or parts.size().
  std::vector<std::string> done_ids;
  // Opaque to the client: handed to the late-response handler when a submit_sm_resp arrives
  // after its timeout (review m18).
  std::string tag;
};

struct SubmitResult {
  enum class Kind {
    kOk,
    kTransient,  // not bound, timeout, connection lost, throttled, queue full: retry later
    kPermanent,  // the SMSC refused the message itself, or the request was malformed
  };
  Kind kind = Kind::kOk;
  uint32_t command_status = 0;  // the SMSC's verdict; 0 when the failure was local
  std::string detail;           // for logs: "timeout", "ESME_RTHROTTLED (0x00000058)", ...
  // One per submit_sm sent (one per part, or one with message_payload), in part order. After a
  // failure the ids of parts the SMSC accepted are still filled in, the others empty.
  std::vector<std::string> message_ids;
  uint16_t concat_ref = 0;  // the reference the parts went out with (several parts only)

  bool ok() const { return kind == Kind::kOk; }
  bool transient() const { return kind == Kind::kTransient; }
  bool permanent() const { return kind == Kind::kPermanent; }

  // kOk -> OK, kTransient -> kUnavailable, kPermanent -> kInvalidArgument; message = detail.
  Status ToStatus() const;
};

// Monotonic counters and two gauges, for metrics. A snapshot: fields are read one by one.
struct ClientCounters {
  uint64_t submitted = 0;   // submit_sm PDUs written
  uint64_t responses = 0;   // submit_sm_resp received, any status
  uint64_t receipts = 0;    // receipts handed to on_receipt
  uint64_t reconnects = 0;  // connection attempts after the first
  uint64_t timeouts = 0;    // submit_sm without a response in time
  uint64_t in_flight = 0;   // gauge: submit_sm awaiting a response now
  uint64_t queued = 0;      // gauge: parts waiting for a window slot now
  uint64_t max_in_flight = 0;  // highest in_flight seen; never above window
  uint64_t late_responses = 0;  // submit_sm_resp accepted after their timeout
  uint64_t max_write_queue = 0;  // most PDUs queued for writing at once
  uint64_t refused_inbound = 0;  // deliver_sm answered ESME_RX_T_APPN (not recorded)
};

}  // namespace smsgw::smpp
