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
  enum class Defect { kNone, kBodyTooLarge, kHeaderTooLarge, kMalformed };

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
struct UnsettledSend;

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
  // Not sent: set on a 5xx of a send whose messages reached the ledger, so an Idempotency-Key
  // retry can find out whether they were queued after all (idempotency_gate.h).
  std::shared_ptr<const UnsettledSend> unsettled;

  // Replaces a header of that name (case-insensitive) or adds it.
  void Set(std::string_view name, std::string value);
  std::optional<std::string_view> Get(std::string_view name) const;
};

// The messages of a send answered 5xx, and the answer it would have had had they been queued.
struct UnsettledSend {
  std::vector<std::string> message_ids;
  HttpResponse if_queued;
};

// Answers a request. Called exactly once per request, from any thread.
using Respond = std::function<void(HttpResponse)>;

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// `status` with `body` serialised and Content-Type application/json.
HttpResponse JsonResponse(int status, const nlohmann::json& body);

}  // namespace smsgw::api
