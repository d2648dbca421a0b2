#include "sms/uuid7.h"

#include <openssl/rand.h>

#include <array>
#include <random>

#include "common/time.h"

namespace smsgw::sms {

namespace {

constexpr size_t kUuidTextSize = 36;
constexpr uint32_t kCounterMax = 0xFFF;  // rand_a holds 12 bits
// A fresh millisecond starts the counter at a random value below this, leaving at least 2048
// increments before it overflows (RFC 9562 6.2: the counter's top bit starts at 0).
constexpr uint32_t kCounterSeedLimit = 0x800;

bool IsDashPosition(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Fills `out` with random bytes. OpenSSL's generator is thread-safe and unpredictable; if it
// ever fails, a per-thread Mersenne Twister keeps ids unique, though then guessable.
void RandomBytes(unsigned char* out, size_t n) {
  if (RAND_bytes(out, static_cast<int>(n)) == 1) return;
  thread_local std::mt19937_64 fallback{std::random_device{}()};
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<unsigned char>(fallback());
}

uint32_t RandomCounterSeed() {
  unsigned char b[2];
  RandomBytes(b, sizeof(b));
  return ((uint32_t{b[0]} << 8) | b[1]) % kCounterSeedLimit;
}

// The text form of an id of time `ms` with 12 bits `rand_a` and random bits in b[8..15].
std::string Format(int64_t ms, uint32_t rand_a, std::array<unsigned char, 16>& b);

// The last (timestamp, counter) this thread used; ids of one thread strictly increase from it.
struct Clock {
  int64_t last_ms = -1;
  uint32_t counter = 0;
};

}  // namespace

std::string NewUuidV7() {
  thread_local Clock clock;
  int64_t ms = NowMs();
  if (ms > clock.last_ms) {
    clock.counter = RandomCounterSeed();
  } else {
    ms = clock.last_ms;  // same millisecond, or the clock stepped back: keep order
    if (++clock.counter > kCounterMax) {
      ++ms;  // counter exhausted: borrow the next millisecond
      clock.counter = RandomCounterSeed();
    }
  }
  clock.last_ms = ms;

  std::array<unsigned char, 16> b{};
  RandomBytes(b.data() + 8, 8);
  return Format(ms, clock.counter, b);
}

std::string UuidV7At(int64_t unix_ms, uint64_t random) {
  std::array<unsigned char, 16> b{};
  // splitmix64 of `random`, so nearby values give unrelated ids.
  uint64_t z = random + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  for (int i = 0; i < 8; ++i) b[8 + i] = static_cast<unsigned char>(z >> (8 * i));
  return Format(unix_ms, static_cast<uint32_t>(random & kCounterMax), b);
}

namespace {

std::string Format(int64_t ms, uint32_t rand_a, std::array<unsigned char, 16>& b) {
  const uint64_t ts = static_cast<uint64_t>(ms) & 0xFFFFFFFFFFFFULL;
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(ts >> (40 - 8 * i));
  b[6] = static_cast<unsigned char>(0x70 | (rand_a >> 8));  // version 7
  b[7] = static_cast<unsigned char>(rand_a & 0xFF);
  b[8] = static_cast<unsigned char>(0x80 | (b[8] & 0x3F));  // variant 10

  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  text.reserve(kUuidTextSize);
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text.push_back('-');
    text.push_back(kHex[b[i] >> 4]);
    text.push_back(kHex[b[i] & 0x0F]);
  }
  return text;
}

}  // namespace

bool IsUuid(std::string_view text) {
  if (text.size() != kUuidTextSize) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (IsDashPosition(i) ? text[i] != '-' : HexValue(text[i]) < 0) return false;
  }
  return true;
}

Result<int64_t> UuidV7TimeMs(std::string_view text) {
  if (!IsUuid(text)) return Status::InvalidArgument("not a UUID");
  const int variant = HexValue(text[19]);
  if (text[14] != '7' || (variant & 0xC) != 0x8) {
    return Status::InvalidArgument("not a version 7 UUID");
  }
  int64_t ms = 0;
  for (size_t i = 0; i < 13; ++i) {  // the first 12 hex digits, around the dash at 8
    if (i == 8) continue;
    ms = (ms << 4) | HexValue(text[i]);
  }
  return ms;
}

}  // namespace smsgw::sms
