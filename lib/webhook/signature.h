#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// Status callbacks are signed the way Stripe signs its webhooks (DESIGN.md section 6), so a
// receiver can check that a callback came from smsgw and is recent:
//   X-Smsgw-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">
// keyed with the account's webhook secret. Pure.
namespace smsgw::webhook {

inline constexpr const char* kSignatureHeader = "X-Smsgw-Signature";

// The lower-case hex HMAC-SHA256 of `message` keyed with `secret` (OpenSSL).
std::string HmacSha256Hex(std::string_view secret, std::string_view message);

// The header's value for `body` sent at `unix_seconds`.
std::string Signature(std::string_view secret, int64_t unix_seconds, std::string_view body);

}  // namespace smsgw::webhook
