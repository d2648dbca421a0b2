#include "api/batch_request.h"

namespace smsgw::api {
namespace {

Result<const nlohmann::json*> ListField(const nlohmann::json& object, const char* name) {
  const nlohmann::json& list = object.at(name);
  if (!list.is_array()) return Status::InvalidArgument(std::string(name) + ": must be a list");
  if (list.empty()) return Status::InvalidArgument(std::string(name) + ": must not be empty");
  return &list;
}

}  // namespace

Result<BatchRequest> ParseBatchRequest(const nlohmann::json& object) {
  if (!object.is_object()) return Status::InvalidArgument("body: must be a JSON object");
  const bool has_messages = object.contains("messages");
  const bool has_to = object.contains("to");
  if (has_messages == has_to) {
    return Status::InvalidArgument("body: give either messages (a list of messages) or to (a list of numbers) and text");
  }
  BatchRequest out;
  if (has_messages) {
    for (const auto& [name, value] : object.items()) {
      if (name != "messages") return Status::InvalidArgument(name + ": unknown field");
    }
    Result<const nlohmann::json*> list = ListField(object, "messages");
    if (!list.ok()) return list.status();
    if ((*list)->size() > kMaxBatchItems) {
      out.too_many = true;
      return out;
    }
    out.items.reserve((*list)->size());
    for (const nlohmann::json& item : **list) out.items.push_back(ParseSendRequest(item));
    return out;
  }

  Result<const nlohmann::json*> list = ListField(object, "to");
  if (!list.ok()) return list.status();
  if ((*list)->size() > kMaxBatchItems) {
    out.too_many = true;
    return out;
  }
  // Every item is the body with one number: the fields shared by all are checked once, with
  // the same checks and messages as a single send; the numbers are checked per item later.
  nlohmann::json shared = object;
  shared["to"] = "0";
  Result<SendRequest> common = ParseSendRequest(shared);
  if (!common.ok()) return common.status();  // a fault shared by every item: the whole body is refused
  out.items.reserve((*list)->size());
  for (const nlohmann::json& to : **list) {
    if (!to.is_string()) {
      out.items.push_back(Status::InvalidArgument("to: must be a string"));
      continue;
    }
    SendRequest r = *common;
    r.to = to.get<std::string>();
    if (r.to.empty()) {
      out.items.push_back(Status::InvalidArgument("to: required"));
      continue;
    }
    out.items.push_back(std::move(r));
  }
  return out;
}

}  // namespace smsgw::api
