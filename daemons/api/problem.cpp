#include "api/problem.h"

namespace smsgw::api {

ProblemKind KindFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      break;
    case ErrorCode::kInvalidArgument:
      return {400, "invalid_argument", "Invalid request"};
    case ErrorCode::kUnauthenticated:
      return {401, "unauthenticated", "Missing or unknown API key"};
    case ErrorCode::kInsufficientFunds:
      return {402, "insufficient_funds", "Insufficient funds"};
    case ErrorCode::kPermissionDenied:
      return {403, "account_disabled", "Account disabled"};
    case ErrorCode::kNotFound:
      return {404, "not_found", "Not found"};
    case ErrorCode::kConflict:
      return {409, "conflict", "Conflict"};
    case ErrorCode::kUnavailable:
      return {503, "unavailable", "Service unavailable"};
    case ErrorCode::kInternal:
      break;
  }
  // kOk here is a caller's bug; it is answered like any other bug.
  return {500, "internal", "Internal error"};
}

HttpResponse ProblemResponse(const ProblemKind& kind, std::string detail) {
  nlohmann::json body = {
      {"type", "urn:smsgw:problem:" + std::string(kind.code)},
      {"title", kind.title},
      {"status", kind.http_status},
      {"detail", std::move(detail)},
      {"code", kind.code},
  };
  HttpResponse r = JsonResponse(kind.http_status, body);
  r.Set("Content-Type", "application/problem+json");
  if (kind.http_status == 503) r.Set("Retry-After", "1");
  if (kind.http_status == 401) r.Set("WWW-Authenticate", "Bearer realm=\"smsgw\"");
  return r;
}

HttpResponse ProblemResponse(const Status& status) {
  const ProblemKind kind = KindFor(status.code());
  if (kind.http_status < 500) return ProblemResponse(kind, status.message());
  if (kind.http_status == 503) return DependencyFailed(status);
  HttpResponse r = ProblemResponse(kind, "internal error; quote the X-Request-ID when reporting it");
  r.log_detail = status.ToString();
  return r;
}

nlohmann::json ItemProblem(const Status& status) {
  const ProblemKind kind = KindFor(status.code());
  std::string detail = status.message();
  if (kind.http_status == 503) detail = "a service smsgw depends on is unavailable; retry later";
  if (kind.http_status >= 500 && kind.http_status != 503) detail = "internal error";
  return {{"status", kind.http_status}, {"code", kind.code}, {"title", kind.title}, {"detail", std::move(detail)}};
}

HttpResponse DependencyFailed(const Status& status) {
  HttpResponse r =
      ProblemResponse(KindFor(ErrorCode::kUnavailable), "a service smsgw depends on is unavailable; retry later");
  r.log_detail = status.ToString();
  return r;
}

}  // namespace smsgw::api
