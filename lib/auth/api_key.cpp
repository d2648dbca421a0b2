#include "auth/api_key.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <stdexcept>

namespace smsgw::auth {
namespace {

std::string Hex(const unsigned char* data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xf];
  }
  return out;
}

}  // namespace

std::string RandomHex(size_t bytes) {
  unsigned char buf[32];
  if (bytes > sizeof(buf) || RAND_bytes(buf, static_cast<int>(bytes)) != 1) {
    // No entropy means no safe key: refuse loudly rather than hand out a guessable one.
    throw std::runtime_error("RAND_bytes failed");
  }
  return Hex(buf, bytes);
}

NewKey GenerateApiKey() {
  NewKey k;
  k.key_id = RandomHex(8);
  k.key = k.key_id + "." + RandomHex(16);
  k.hash = HashApiKey(k.key);
  return k;
}

std::string GenerateWebhookSecret() { return RandomHex(32); }

std::string HashApiKey(std::string_view key) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
  return Hex(digest, sizeof(digest));
}

}  // namespace smsgw::auth
