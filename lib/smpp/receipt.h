#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "smpp/pdu_types.h"

namespace smsgw::smpp {

// Where a message ended up, as far as the receipt says. kNotFinal covers intermediate receipts
// (ACCEPTD, ENROUTE, UNKNOWN) and stats nobody documented: the message stays "submitted".
enum class ReceiptState { kNotFinal, kDelivered, kUndelivered, kExpired };

std::string_view ReceiptStateName(ReceiptState state);

// The fields of an SMPP 3.4 Appendix B receipt text, as found (missing ones are empty):
//   id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD
//   err:E text: . . .
struct ReceiptText {
  std::string id;
  std::string sub;
  std::string dlvrd;
  std::string submit_date;  // YYMMDDhhmm, some SMSCs add ss
  std::string done_date;
  std::string stat;         // upper-cased
  std::string err;
  std::string text;         // the rest after "text:", leading spaces dropped
};

// Parses the receipt text the way real SMSCs write it: keys in any case, fields missing or in
// another order, "submit_date" for "submit date", dates of 10 or 12 digits, no "text:" at all.
// Keys are only recognised before "text:", whose value (the start of the user's message) may
// contain anything. Fails with kInvalidArgument when neither "id:" nor "stat:" is present.
Result<ReceiptText> ParseReceiptText(std::string_view text);

// Appendix B text from `fields`, in the canonical order and spelling (the simulator's output).
std::string FormatReceiptText(const ReceiptText& fields);

// DELIVRD -> kDelivered; UNDELIV, REJECTD, DELETED -> kUndelivered; EXPIRED -> kExpired; case
// ignored. The long spellings some SMSCs use (DELIVERED, UNDELIVERABLE, REJECTED, FAILED) map
// the same way. Anything else, ACCEPTD, ENROUTE and UNKNOWN included, is kNotFinal.
ReceiptState StateFromStat(std::string_view stat);

// The same mapping for the message_state TLV (MessageState values).
ReceiptState StateFromMessageState(uint8_t message_state);

// The message_state value for a stat word (case ignored), nullopt for words it does not know.
std::optional<uint8_t> MessageStateFromStat(std::string_view stat);

// The stat word for a message_state value ("DELIVRD" for kDelivered, ...), "UNKNOWN" otherwise.
std::string_view StatFromMessageState(uint8_t message_state);

// One delivery receipt as the rest of smsgw sees it.
struct Receipt {
  std::string message_id;   // the id submit_sm_resp returned for the message (or its part)
  bool id_from_tlv = false; // message_id came from receipted_message_id (written as in
                            // submit_sm_resp), not from the text's id: (written its own way)
  ReceiptState state = ReceiptState::kNotFinal;
  std::string stat;         // "DELIVRD", ... (from the text, else from message_state)
  std::string error_code;   // the err: field, e.g. "000"; empty when absent
  std::string submit_date;
  std::string done_date;
  std::string raw_text;     // the receipt text exactly as received
  int64_t done_at_ms = 0;   // done date: read as UTC; 0 when absent or unreadable
};

// A receipt date, YYMMDDhhmm or YYMMDDhhmmss (Appendix B), as Unix milliseconds read as UTC
// (SMSCs rarely say their zone); 0 for anything else.
int64_t ParseReceiptDate(std::string_view date);

// Builds a Receipt from a deliver_sm whose esm_class has kEsmClassReceipt. The
// receipted_message_id TLV wins over the text's id: and the message_state TLV over its stat:,
// because the TLVs are unambiguous where the text is vendor-specific. Fails when no message id
// can be found in either.
Result<Receipt> ReceiptFromDeliverSm(const DeliverSm& deliver);

}  // namespace smsgw::smpp
