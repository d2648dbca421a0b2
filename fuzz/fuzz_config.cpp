// The config loader over any file content: an error or a config, never a crash (toml11 is
// third-party code reading operator-supplied bytes: review F3).
#include <string>

#include "config/config.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)smsgw::config::LoadString(text, "fuzz.toml");
  return 0;
}
