#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "smpp/client_types.h"
#include "smpp/pdu_types.h"

namespace smsgw::smpp {

// The submit_sm bodies for one request, in sending order, sequence numbers left to the client:
// one plain submit_sm for one part (a part over 254 octets goes in message_payload); for
// several, one per part with the concatenation UDH (reference `concat_ref`) and esm_class 0x40,
// or a single submit_sm with the joined parts in message_payload when `use_message_payload`.
// Fails with kInvalidArgument for bad addresses, no parts, more than 255 parts or a part that
// does not fit next to its UDH.
Result<std::vector<SubmitSm>> BuildSubmitSms(const SubmitRequest& req, uint8_t concat_ref,
                                             bool use_message_payload);

}  // namespace smsgw::smpp
