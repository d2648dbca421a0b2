#pragma once

#include <cstdint>

#include "common/status.h"

namespace smsgw::sms {

// The cost of a message: segments x price_per_segment, in integer minor currency units (money
// is never floating point, so ledger sums are exact).
// Errors: InvalidArgument if either input is negative; Internal if the product overflows int64
// (no real price does, so it means corrupt configuration or data).
inline Result<int64_t> Price(int segments, int64_t price_per_segment) {
  if (segments < 0) return Status::InvalidArgument("segments: must not be negative");
  if (price_per_segment < 0) {
    return Status::InvalidArgument("price_per_segment: must not be negative");
  }
  int64_t cost = 0;
  if (__builtin_mul_overflow(static_cast<int64_t>(segments), price_per_segment, &cost)) {
    return Status::Internal("price: segments x price_per_segment overflows int64");
  }
  return cost;
}

}  // namespace smsgw::sms
