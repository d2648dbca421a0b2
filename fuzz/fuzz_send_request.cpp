// The REST API's request bodies (POST /v1/messages and /v1/messages/batch): any bytes give a
// request or a refusal naming why; nothing escapes as an exception (review F1).
#include <string_view>

#include "api/batch_request.h"
#include "api/send_request.h"
#include "fuzz_target.h"

using namespace smsgw::api;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  smsgw::Result<nlohmann::json> json = ParseJsonObject(body);
  if (!json.ok()) {
    SMSGW_FUZZ_CHECK(json.status().code() == smsgw::ErrorCode::kInvalidArgument);
    return 0;
  }
  smsgw::Result<SendRequest> one = ParseSendRequest(*json);
  if (!one.ok()) SMSGW_FUZZ_CHECK(one.status().code() == smsgw::ErrorCode::kInvalidArgument);
  smsgw::Result<BatchRequest> batch = ParseBatchRequest(*json);
  if (batch.ok()) {
    SMSGW_FUZZ_CHECK(batch->too_many || batch->items.size() <= kMaxBatchItems);
  } else {
    SMSGW_FUZZ_CHECK(batch.status().code() == smsgw::ErrorCode::kInvalidArgument);
  }
  return 0;
}
