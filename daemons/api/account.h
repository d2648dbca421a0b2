#pragma once

#include <cstdint>
#include <string>

namespace smsgw::api {

// What the API knows of the caller's account once its key is checked.
struct Account {
  int64_t id = 0;
  bool disabled = false;
  int64_t price_normal = 0;   // per segment, minor units
  int64_t price_express = 0;  // per segment; already resolved to price_normal when unset (0)
  double rate_rps = 0;        // the account's own rate limit; 0: the configured default
  double rate_burst = 0;
  std::string key_hash;       // of the key that authenticated, to drop it from the cache
};

}  // namespace smsgw::api
