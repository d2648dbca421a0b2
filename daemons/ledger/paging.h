#pragma once

#include <string>

#include "common/status.h"

namespace smsgw::ledger {

// The page size of a paged call: `requested`, or `fallback` for 0; kInvalidArgument outside
// 0..max.
inline Result<int> PageSize(int requested, int fallback, int max) {
  if (requested < 0 || requested > max) return Status::InvalidArgument("limit must be 1.." + std::to_string(max));
  return requested == 0 ? fallback : requested;
}

}  // namespace smsgw::ledger
