#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <vector>

#include "api/send_request.h"
#include "common/status.h"

// Reading a POST /v1/messages/batch body. Two shapes:
//   {"messages": [{<a POST /v1/messages body>}, ...]}
//   {"to": ["+98...", ...], "text": "...", <any other field of a single send, for every item>}
// Pure functions.
namespace smsgw::api {

inline constexpr size_t kMaxBatchItems = 1000;

struct BatchRequest {
  // One per item, in request order: the item, or why it is refused (InvalidArgument naming
  // the field). Empty when too_many.
  std::vector<Result<SendRequest>> items;
  bool too_many = false;  // more than kMaxBatchItems items: answered 413, nothing parsed
};

// InvalidArgument for a body of neither shape: "messages: must be a list", "to: must be a
// list", "messages: must not be empty", "body: give either messages or to and text", or an
// unknown top-level field of the messages shape.
Result<BatchRequest> ParseBatchRequest(const nlohmann::json& object);

}  // namespace smsgw::api
