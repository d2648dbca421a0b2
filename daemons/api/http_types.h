#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The HTTP exchange as the handlers see it: plain structs, so routing, handlers and tests do not
// depend on Beast (only server.cpp does).
namespace smsgw::api {

struct Header {
  std::string name;
  std::string value;
};

struct HttpRequest {
  // Why the server could not read the request whole; the app answers these without routing.
  enum class Defect { kNone, kBodyTooLarge, kMalformed };

  std::string method;  // as sent: "GET", "POST", ...
  std::string target;  // path and query as sent
  std::vector<Header> headers;
  std::string body;
  Defect defect = Defect::kNone;

  // The target without its query string.
  std::string_view Path() const;
  // The first header of that name (case-insensitive), or nullopt.
  std::optional<std::string_view> Get(std::string_view name) const;
};

class ChunkedBody;

struct HttpResponse {
  int status = 200;
  std::vector<Header> headers;
  std::string body;
  // When set, the body is sent in chunks as they come (chunked_body.h) instead of `body`, and
  // the connection is closed after it.
  std::shared_ptr<ChunkedBody> chunked;
  // Not sent: what the app logs about this response (the full error behind a 5xx whose public
  // detail is generic).
  std::string log_detail;

  // Replaces a header of that name (case-insensitive) or adds it.
  void Set(std::string_view name, std::string value);
  std::optional<std::string_view> Get(std::string_view name) const;
};

// Answers a request. Called exactly once per request, from any thread.
using Respond = std::function<void(HttpResponse)>;

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// `status` with `body` serialised and Content-Type application/json.
HttpResponse JsonResponse(int status, const nlohmann::json& body);

}  // namespace smsgw::api
