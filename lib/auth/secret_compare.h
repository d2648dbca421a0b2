#pragma once

#include <string_view>

namespace smsgw::auth {

// Whether `given` equals the secret `expected`, in a time that depends on neither's content
// (OpenSSL CRYPTO_memcmp): for a secret compared as itself, such as an SMPP bind password, so
// that how long a refusal takes tells nothing about how much of a guess was right. A length
// that differs returns at once: the length of a secret is not what it protects. API keys are
// not compared this way: they are looked up by their SHA-256 (docs/security.md).
bool SecretsEqual(std::string_view given, std::string_view expected);

}  // namespace smsgw::auth
