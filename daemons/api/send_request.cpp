#include "api/send_request.h"

#include <array>
#include <cctype>

#include "api/http_types.h"
#include "webhook/url_policy.h"

namespace smsgw::api {
namespace {

constexpr std::array<std::string_view, 7> kFields = {"to",         "text",       "from",        "priority",
                                                     "client_ref", "validity_s", "callback_url"};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsAbsent(const nlohmann::json& object, std::string_view name) {
  auto it = object.find(name);
  return it == object.end() || it->is_null();
}

// Reads a string field. `required` fields may not be absent or empty.
Status ReadString(const nlohmann::json& object, std::string_view name, bool required, std::string* out) {
  if (IsAbsent(object, name)) {
    return required ? Status::InvalidArgument(std::string(name) + ": required") : Status::Ok();
  }
  const nlohmann::json& v = object.at(name);
  if (!v.is_string()) return Status::InvalidArgument(std::string(name) + ": must be a string");
  *out = v.get<std::string>();
  if (required && out->empty()) return Status::InvalidArgument(std::string(name) + ": required");
  return Status::Ok();
}

bool IsHttpUrl(std::string_view url) {
  std::string_view rest;
  if (url.substr(0, 7) == "http://") {
    rest = url.substr(7);
  } else if (url.substr(0, 8) == "https://") {
    rest = url.substr(8);
  } else {
    return false;
  }
  if (rest.empty() || rest.front() == '/') return false;  // needs a host
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) return false;
  }
  return true;
}

}  // namespace

bool IsJsonContentType(std::optional<std::string_view> content_type) {
  if (!content_type) return false;
  std::string_view ct = *content_type;
  const size_t semi = ct.find(';');
  std::string_view media = Trim(ct.substr(0, semi));
  std::string lower;
  for (char c : media) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  const bool json = lower == "application/json" || (lower.rfind("application/", 0) == 0 && lower.size() > 17 &&
                                                    lower.compare(lower.size() - 5, 5, "+json") == 0);
  if (!json) return false;
  // Parameters: only charset matters, and it must name UTF-8.
  std::string_view params = semi == std::string_view::npos ? std::string_view() : ct.substr(semi + 1);
  while (!params.empty()) {
    const size_t next = params.find(';');
    std::string_view param = Trim(params.substr(0, next));
    params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
    const size_t eq = param.find('=');
    if (eq == std::string_view::npos || !EqualsIgnoreCase(Trim(param.substr(0, eq)), "charset")) continue;
    std::string_view value = Trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (!EqualsIgnoreCase(value, "utf-8") && !EqualsIgnoreCase(value, "utf8")) return false;
  }
  return true;
}

Result<nlohmann::json> ParseJsonObject(std::string_view body) {
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception& e) {
    // e.what() reads "[json.exception.parse_error.101] parse error at line 1, column 2: ...";
    // a number too large for a double (1e400) is an out_of_range error: bad input too.
    std::string what = e.what();
    const size_t at = what.find("] ");
    return Status::InvalidArgument("body: " + (at == std::string::npos ? what : what.substr(at + 2)));
  }
  if (!parsed.is_object()) return Status::InvalidArgument("body: must be a JSON object");
  return parsed;
}

Result<SendRequest> ParseSendRequest(const nlohmann::json& object) {
  if (!object.is_object()) return Status::InvalidArgument("body: must be a JSON object");
  for (const auto& [name, value] : object.items()) {
    bool known = false;
    for (std::string_view f : kFields) known = known || f == name;
    if (!known) return Status::InvalidArgument(name + ": unknown field");
  }
  SendRequest req;
  if (Status s = ReadString(object, "to", true, &req.to); !s.ok()) return s;
  if (Status s = ReadString(object, "text", true, &req.text); !s.ok()) return s;
  if (Status s = ReadString(object, "from", false, &req.from); !s.ok()) return s;

  if (!IsAbsent(object, "priority")) {
    const nlohmann::json& v = object.at("priority");
    if (v == "express") {
      req.priority = v1::PRIORITY_EXPRESS;
    } else if (v != "normal") {
      return Status::InvalidArgument("priority: must be normal or express");
    }
  }

  if (Status s = ReadString(object, "client_ref", false, &req.client_ref); !s.ok()) return s;
  if (req.client_ref.size() > kMaxClientRef) {
    return Status::InvalidArgument("client_ref: must be at most " + std::to_string(kMaxClientRef) + " bytes");
  }

  if (!IsAbsent(object, "validity_s")) {
    const nlohmann::json& v = object.at("validity_s");
    const std::string range = "validity_s: must be an integer from 1 to " + std::to_string(kMaxValiditySeconds);
    if (!v.is_number_integer()) return Status::InvalidArgument(range);
    if (v.is_number_unsigned()) {
      if (v.get<uint64_t>() > static_cast<uint64_t>(kMaxValiditySeconds)) return Status::InvalidArgument(range);
      req.validity_s = static_cast<int64_t>(v.get<uint64_t>());
    } else {
      req.validity_s = v.get<int64_t>();
    }
    if (req.validity_s < 1 || req.validity_s > kMaxValiditySeconds) return Status::InvalidArgument(range);
  }

  if (Status s = ReadString(object, "callback_url", false, &req.callback_url); !s.ok()) return s;
  if (!req.callback_url.empty() && (req.callback_url.size() > kMaxCallbackUrl || !IsHttpUrl(req.callback_url))) {
    return Status::InvalidArgument("callback_url: must be an http:// or https:// URL of at most " +
                                   std::to_string(kMaxCallbackUrl) + " bytes");
  }
  return req;
}

Status CheckCallbackTargets(const SendRequest& req, bool allow_private) {
  if (!req.callback_url.empty()) {
    if (Status s = webhook::CheckCallbackUrl(req.callback_url, allow_private); !s.ok()) {
      return Status::InvalidArgument("callback_url: " + s.message());
    }
  }
  if (!req.dlr_url.empty()) {
    if (Status s = webhook::CheckCallbackUrl(req.dlr_url, allow_private); !s.ok()) {
      return Status::InvalidArgument("dlr-url: " + s.message());
    }
  }
  return Status::Ok();
}

}  // namespace smsgw::api
