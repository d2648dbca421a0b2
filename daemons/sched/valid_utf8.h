#pragma once

#include <string>
#include <string_view>

namespace smsgw::sched {

// `bytes` as valid UTF-8: every byte that does not start a well-formed sequence becomes the
// four characters "\xNN" (upper-case hex), the rest is kept as is. For what an SMSC sends
// (submit_sm_resp message ids, receipt stat: and err:) before it goes into a protobuf string
// field, which proto3 requires to be UTF-8: smsgw-report cannot parse an event that is not,
// and would drop it. The same id gives the same text, so receipt keys written from a
// submit_sm_resp still match the receipt that names the same bytes.
std::string ValidUtf8(std::string_view bytes);

}  // namespace smsgw::sched
