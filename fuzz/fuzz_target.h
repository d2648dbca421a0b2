#pragma once

// Every fuzz target defines this entry point (libFuzzer's). Built with -fsanitize=fuzzer it is
// driven by libFuzzer; otherwise replay_main.cpp runs it once per file of the seed corpus and
// the regression inputs, so every build keeps those inputs passing.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace smsgw::fuzz {

// An invariant the code under test broke: print it with the input and abort, so libFuzzer
// saves the input as a crash and the replay test fails.
[[noreturn]] inline void Broken(const char* what, const uint8_t* data, size_t size) {
  std::fprintf(stderr, "invariant broken: %s\ninput (%zu bytes):", what, size);
  for (size_t i = 0; i < size && i < 512; ++i) std::fprintf(stderr, " %02x", data[i]);
  std::fprintf(stderr, "\n");
  std::abort();
}

#define SMSGW_FUZZ_CHECK(cond) \
  do {                         \
    if (!(cond)) ::smsgw::fuzz::Broken(#cond, data, size); \
  } while (0)

}  // namespace smsgw::fuzz
