#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "smpp/client_types.h"
#include "smpp/pdu_types.h"

namespace smsgw::smpp {

// The submit_sm bodies for one request, in part order, sequence numbers left to the client:
// one plain submit_sm for one part (a part over 254 octets goes in message_payload); for
// several, by `mode`: one per part with the 8-bit-reference concatenation UDH (the low 8 bits
// of `concat_ref`) and esm_class 0x40, one per part with the SAR TLVs (reference
// `concat_ref`), or a single submit_sm with the joined parts in message_payload.
// Fails with kInvalidArgument for bad addresses, no parts, more than 255 parts or a part that
// does not fit next to its UDH.
Result<std::vector<SubmitSm>> BuildSubmitSms(const SubmitRequest& req, uint16_t concat_ref, LongMessages mode);

}  // namespace smsgw::smpp
