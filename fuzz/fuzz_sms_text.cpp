// Text encoding and segmentation: any bytes are either refused as not UTF-8 or cut into as
// many parts as Analyze counts, each within one SMS.
#include <string_view>

#include "fuzz_target.h"
#include "sms/encoding.h"
#include "sms/utf8.h"

using namespace smsgw::sms;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  smsgw::Result<TextInfo> info = Analyze(text);
  if (!info.ok()) return 0;
  SMSGW_FUZZ_CHECK(!FindInvalidUtf8(text).has_value());
  smsgw::Result<std::vector<std::string>> parts = EncodeParts(text, info->encoding);
  SMSGW_FUZZ_CHECK(parts.ok());
  SMSGW_FUZZ_CHECK(static_cast<int>(parts->size()) == info->segments);
  const bool gsm = info->encoding == Encoding::kGsm7;
  const size_t single = gsm ? kGsm7SingleSeptets : 2 * kUcs2SingleUnits;
  const size_t part = gsm ? kGsm7PartSeptets : 2 * kUcs2PartUnits;
  for (const std::string& p : *parts) SMSGW_FUZZ_CHECK(p.size() <= (parts->size() == 1 ? single : part));
  return 0;
}
