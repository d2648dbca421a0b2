#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace smsgw::sms {

// A new UUID version 7 (RFC 9562 5.7) as lowercase 8-4-4-4-12 text: 48-bit Unix milliseconds,
// then a 12-bit counter in rand_a (RFC 9562 6.2 method 1), then 62 random bits.
// Ids made by one thread are strictly increasing (as text and as bytes): within a millisecond
// the counter is bumped; if it runs out, or the clock steps back, the timestamp is carried
// forward from the last id instead of going backwards. Across threads, ids are ordered by
// millisecond only. Random bits come from OpenSSL's CSPRNG, so ids are not guessable.
// Thread-safe.
std::string NewUuidV7();

// A UUIDv7 of a chosen time, its other bits drawn from `random` (tests and benchmarks that
// must place a message on a given day or share one millisecond between several ids). Pure.
std::string UuidV7At(int64_t unix_ms, uint64_t random);

// True for any UUID in 8-4-4-4-12 hex form (any version; hex digits in either case).
bool IsUuid(std::string_view text);

// The Unix milliseconds stored in a UUIDv7.
// Error: InvalidArgument if `text` is not a UUID, or not version 7 with the RFC 9562 variant.
Result<int64_t> UuidV7TimeMs(std::string_view text);

}  // namespace smsgw::sms
