#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "smpp/pdu_types.h"

namespace smsgw::smpp {

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
  int response_timeout_ms = 10000;  // for every request we send, and for TCP connect
  int reconnect_initial_ms = 1000;  // first wait after a drop or failed bind, then doubled...
  int reconnect_max_ms = 30000;     // ...up to this
  int unbind_timeout_ms = 1000;     // how long Stop() waits for unbind_resp
  // Multi-part messages as one submit_sm with the parts joined in message_payload (for SMSCs
  // that split themselves) instead of one submit_sm per part with a concatenation UDH.
  bool use_message_payload = false;
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
  uint8_t registered_delivery = 1;     // 1: ask for a final receipt
  std::optional<uint8_t> concat_ref;   // UDH reference; default: a per-client counter
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
};

}  // namespace smsgw::smpp
