#include "rpc/status.h"

#include "rpc/call_metrics.h"

namespace smsgw::rpc {

grpc::Status ToGrpc(const Status& status) {
  using grpc::StatusCode;
  StatusCode code = StatusCode::INTERNAL;
  switch (status.code()) {
    case ErrorCode::kOk: return grpc::Status::OK;
    case ErrorCode::kInvalidArgument: code = StatusCode::INVALID_ARGUMENT; break;
    case ErrorCode::kUnauthenticated: code = StatusCode::UNAUTHENTICATED; break;
    case ErrorCode::kPermissionDenied: code = StatusCode::PERMISSION_DENIED; break;
    case ErrorCode::kInsufficientFunds: code = StatusCode::FAILED_PRECONDITION; break;
    case ErrorCode::kNotFound: code = StatusCode::NOT_FOUND; break;
    case ErrorCode::kConflict: code = StatusCode::ALREADY_EXISTS; break;
    case ErrorCode::kUnavailable: code = StatusCode::UNAVAILABLE; break;
    case ErrorCode::kInternal: code = StatusCode::INTERNAL; break;
  }
  return grpc::Status(code, status.message());
}

Status FromGrpc(const grpc::Status& status, std::string_view what) {
  using grpc::StatusCode;
  if (status.ok()) return Status::Ok();
  std::string message = std::string(what) + ": " + status.error_message();
  switch (status.error_code()) {
    case StatusCode::INVALID_ARGUMENT:
    case StatusCode::OUT_OF_RANGE: return Status::InvalidArgument(message);
    case StatusCode::UNAUTHENTICATED: return Status::Unauthenticated(message);
    case StatusCode::PERMISSION_DENIED: return Status::PermissionDenied(message);
    case StatusCode::FAILED_PRECONDITION: return Status::InsufficientFunds(message);
    case StatusCode::NOT_FOUND: return Status::NotFound(message);
    case StatusCode::ALREADY_EXISTS: return Status::Conflict(message);
    case StatusCode::UNAVAILABLE:
    case StatusCode::DEADLINE_EXCEEDED:
    case StatusCode::CANCELLED:
    case StatusCode::RESOURCE_EXHAUSTED: return Status::Unavailable(message);
    default: return Status::Internal(message);
  }
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address) {
  // gRPC's default reconnect backoff grows to 2 minutes: after a daemon restart its callers
  // would fail fast for that long. Peers here are local daemons that restart in a second, so
  // retry the connection every 100 ms to 1 s instead. gRPC core also reads the "minimum
  // reconnect backoff" as the minimum time a connection attempt is given (its
  // MIN_CONNECT_TIMEOUT): at 100 ms, a loaded machine failed handshakes with "connection
  // attempt timed out before receiving SETTINGS frame". Give an attempt 5 s.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 5000);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  return grpc::experimental::CreateCustomChannelWithInterceptors(address, grpc::InsecureChannelCredentials(), args,
                                                                 ClientMetricsInterceptors());
}

}  // namespace smsgw::rpc
