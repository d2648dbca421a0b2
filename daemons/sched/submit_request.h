#pragma once

#include <string>

#include "common/status.h"
#include "config/config.h"
#include "proto/smsgw.pb.h"
#include "smpp/client_types.h"

namespace smsgw::sched {

// The submit for `envelope` through operator `op` (its [[operators]] settings): the text cut
// into parts (GSM-7 or UCS-2, as the API priced it) and written the way the operator wants
// (data_coding gsm7: DCS 0 unpacked GSM 03.38; latin1: DCS 3 ISO-8859-1; ascii: DCS 1 IA5; a
// character the charset lacks becomes '?', the part boundaries stay GSM-7's since the SMSC
// converts to GSM-7 on air), TON/NPI, registered_delivery, service_type, the validity left
// as a relative validity_period, and, when an earlier attempt through this same operator was
// taken in part, the ids of the parts it accepted and their reference (review m19).
// `tag` identifies the message for a late submit_sm_resp. Fails (InvalidArgument) when the
// text cannot be encoded.
Result<smpp::SubmitRequest> BuildRequest(const v1::Envelope& envelope, const config::OperatorConfig& op,
                                         int64_t now_ms, std::string tag);

// SMPP 3.4's relative time (section 7.1.1.2) for `seconds` from now: "YYMMDDhhmmss000R";
// at most 99 days.
std::string RelativeValidity(int64_t seconds);

// Unpacked GSM 03.38 septets (0x1B escapes included) as ISO-8859-1 (`latin1`) or ASCII octets,
// '?' for a character the charset lacks.
std::string GsmToCharset(const std::string& septets, bool latin1);

}  // namespace smsgw::sched
