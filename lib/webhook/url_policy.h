#pragma once

#include <sys/socket.h>

#include <string>
#include <string_view>

#include "common/status.h"

// Where status callbacks may go (DESIGN.md section 6, review m15). A callback URL is the
// customer's, so without a policy the gateway could be made to send requests to its own
// internal services (SSRF). Checked twice: when the URL is given (syntax, and addresses written
// literally) and at delivery on the address DNS resolved (so a name that resolves to a private
// address is refused too).
namespace smsgw::webhook {

// The longest callback URL accepted.
inline constexpr size_t kMaxUrlBytes = 2048;

// Checks a callback URL as a customer gives it: http or https only, a host, no user name or
// password in it, at most kMaxUrlBytes, no spaces or control characters. Unless
// `allow_private`, the host may not be "localhost" (or end in ".localhost") nor a literal
// address that IsPrivateAddress refuses. kInvalidArgument saying why (no field name: callers
// add it, e.g. "callback_url: ...").
Status CheckCallbackUrl(std::string_view url, bool allow_private);

// True for addresses no callback may reach unless private targets are allowed: loopback,
// RFC 1918 private, link-local (and so the cloud metadata address 169.254.169.254),
// carrier-grade NAT (100.64/10), "this network" (0/8), multicast and reserved ranges, IPv6
// unspecified, loopback, unique-local (fc00::/7), link-local (fe80::/10), multicast, and IPv4
// addresses written in IPv6 (mapped, NAT64 well-known prefix) by their IPv4 meaning.
bool IsPrivateAddress(const sockaddr* address);

// The address in text form, for messages.
std::string AddressText(const sockaddr* address);

}  // namespace smsgw::webhook
