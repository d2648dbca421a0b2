#pragma once

#include <string>
#include <string_view>

namespace smsgw::auth {

// An API key is "<key_id>.<secret>": 16 and 32 lowercase hex digits from OpenSSL's CSPRNG.
// The key id doubles as the Kannel-compatible `username`, the secret as `password`.
struct NewKey {
  std::string key;     // shown to the user once
  std::string key_id;  // stored, safe to show
  std::string hash;    // stored: HashApiKey(key)
};
NewKey GenerateApiKey();

// A webhook signing secret: 64 lowercase hex digits (256 bits) from OpenSSL's CSPRNG.
std::string GenerateWebhookSecret();

// `bytes` (at most 32) random bytes from OpenSSL's CSPRNG as lowercase hex. Throws
// std::runtime_error when the CSPRNG fails: no entropy means no safe key or token.
std::string RandomHex(size_t bytes);

// Lowercase hex SHA-256 of the whole key: what Redis (apikey:<hash>) and PostgreSQL keep.
std::string HashApiKey(std::string_view key);

}  // namespace smsgw::auth
