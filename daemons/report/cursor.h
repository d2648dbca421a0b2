#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace smsgw::report {

// The list's keyset cursor: the last message of a page, as an opaque URL-safe token (base64url
// of the 16 bytes of its UUIDv7 id, no padding: 22 characters). The id alone is enough, since a
// row's created_at is the time inside its id: the position (created_at, id) follows from it.
std::string EncodeCursor(std::string_view message_id);

// The message id (lower-case text form) a cursor names. kInvalidArgument "cursor: ..." for a
// token that is not one EncodeCursor makes (wrong length or alphabet, not a UUIDv7).
Result<std::string> DecodeCursor(std::string_view cursor);

}  // namespace smsgw::report
