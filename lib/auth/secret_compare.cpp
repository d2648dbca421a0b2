#include "auth/secret_compare.h"

#include <openssl/crypto.h>

namespace smsgw::auth {

bool SecretsEqual(std::string_view given, std::string_view expected) {
  if (given.size() != expected.size()) return false;
  return CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

}  // namespace smsgw::auth
