#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"
#include "api/http_types.h"

// Errors as RFC 9457 problem documents:
//   {"type":"urn:smsgw:problem:<code>","title","status","detail","code"}
// with Content-Type application/problem+json. `code` is stable: clients may branch on it.
namespace smsgw::api {

struct ProblemKind {
  int http_status;
  std::string_view code;
  std::string_view title;
};

// The one table from smsgw's ErrorCode to HTTP status and problem code.
ProblemKind KindFor(ErrorCode code);

// Problems of the HTTP layer, with no ErrorCode of their own.
inline constexpr ProblemKind kInvalidJson{400, "invalid_json", "Request body is not valid JSON"};
inline constexpr ProblemKind kRouteNotFound{404, "not_found", "Not found"};
inline constexpr ProblemKind kMethodNotAllowed{405, "method_not_allowed", "Method not allowed"};
inline constexpr ProblemKind kPayloadTooLarge{413, "payload_too_large", "Request body too large"};
inline constexpr ProblemKind kUnsupportedMediaType{415, "unsupported_media_type", "Unsupported media type"};
inline constexpr ProblemKind kRateLimited{429, "rate_limited", "Too many requests"};
inline constexpr ProblemKind kHeadersTooLarge{431, "headers_too_large", "Request header fields too large"};
// Idempotency-Key (idempotency_gate.h): used with another request; its first request is still
// being answered (or its messages' fate is not known yet); or that answer was lost after some
// of its messages were sent.
inline constexpr ProblemKind kIdempotencyKeyReused{409, "idempotency_key_reused", "Idempotency-Key reused"};
inline constexpr ProblemKind kIdempotencyKeyInUse{409, "idempotency_key_in_use", "Idempotency-Key in use"};
inline constexpr ProblemKind kIdempotencyOutcomeUnknown{409, "idempotency_outcome_unknown",
                                                        "Outcome of the first request unknown"};
// Every kind above, for the OpenAPI contract test.
inline constexpr ProblemKind kHttpProblemKinds[] = {
    kInvalidJson,     kRouteNotFound,        kMethodNotAllowed,    kPayloadTooLarge,           kUnsupportedMediaType,
    kRateLimited,     kHeadersTooLarge,      kIdempotencyKeyReused, kIdempotencyKeyInUse, kIdempotencyOutcomeUnknown};

// A problem response of `kind`. Adds Retry-After: 1 to a 503 and WWW-Authenticate to a 401.
HttpResponse ProblemResponse(const ProblemKind& kind, std::string detail);

// The problem for a non-OK status, through KindFor. For 5xx the public detail is generic (the
// status may name internal hosts or replies) and the full status goes to `log_detail`.
HttpResponse ProblemResponse(const Status& status);

// The problem object of one refused item of a batch: {"status","code","title","detail"}, with
// the detail of a 5xx hidden as in ProblemResponse.
nlohmann::json ItemProblem(const Status& status);

// A failed call to a daemon or store we depend on: the customer can only retry, so 503 (with
// Retry-After) whatever the cause; the cause goes to `log_detail`.
HttpResponse DependencyFailed(const Status& status);

}  // namespace smsgw::api
