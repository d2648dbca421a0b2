#include "rpc/call_metrics.h"

#include <grpcpp/support/client_interceptor.h>
#include <grpcpp/support/server_interceptor.h>

#include <chrono>
#include <string>

#include "metrics/registry.h"

namespace smsgw::rpc {
namespace {

using grpc::experimental::InterceptionHookPoints;

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::OK: return "OK";
    case grpc::CANCELLED: return "CANCELLED";
    case grpc::UNKNOWN: return "UNKNOWN";
    case grpc::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::NOT_FOUND: return "NOT_FOUND";
    case grpc::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::ABORTED: return "ABORTED";
    case grpc::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::INTERNAL: return "INTERNAL";
    case grpc::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::DATA_LOSS: return "DATA_LOSS";
    case grpc::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "OTHER";
  }
}

// "/smsgw.v1.Ledger/DebitBatch" -> "Ledger/DebitBatch".
std::string MethodLabel(const char* full) {
  std::string m = full ? full : "";
  const size_t slash = m.rfind('/');
  if (slash == std::string::npos || slash == 0) return m;
  const size_t dot = m.rfind('.', slash);
  const size_t from = dot == std::string::npos ? 1 : dot + 1;
  return m.substr(from);
}

struct Side {
  metrics::Family<metrics::Counter>& calls;
  metrics::Family<metrics::Histogram>& seconds;

  void Record(const std::string& method, grpc::StatusCode code, std::chrono::steady_clock::time_point start) {
    calls.Labels({method, CodeName(code)}).Inc();
    seconds.Labels({method}).Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
};

Side& ClientSide() {
  metrics::Registry& r = metrics::Default();
  static Side s{
      r.AddCounter("smsgw_grpc_client_calls_total", "gRPC calls made, by method and status code.", {"method", "code"}),
      r.AddHistogram("smsgw_grpc_client_call_seconds", "gRPC calls made: time to the status.", {"method"},
                     metrics::LatencyBuckets())};
  return s;
}

Side& ServerSide() {
  metrics::Registry& r = metrics::Default();
  static Side s{r.AddCounter("smsgw_grpc_server_calls_total", "gRPC calls served, by method and status code.",
                             {"method", "code"}),
                r.AddHistogram("smsgw_grpc_server_call_seconds", "gRPC calls served: time to the status.", {"method"},
                               metrics::LatencyBuckets())};
  return s;
}

class ClientInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit ClientInterceptor(grpc::experimental::ClientRpcInfo* info) : method_(MethodLabel(info->method())) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_STATUS)) {
      ClientSide().Record(method_, methods->GetRecvStatus()->error_code(), start_);
    }
    methods->Proceed();
  }

 private:
  std::string method_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

class ServerInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit ServerInterceptor(grpc::experimental::ServerRpcInfo* info) : method_(MethodLabel(info->method())) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      ServerSide().Record(method_, methods->GetSendStatus().error_code(), start_);
    }
    methods->Proceed();
  }

 private:
  std::string method_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

class ClientFactory : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateClientInterceptor(grpc::experimental::ClientRpcInfo* info) override {
    return new ClientInterceptor(info);
  }
};

class ServerFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new ServerInterceptor(info);
  }
};

}  // namespace

void AddServerMetrics(grpc::ServerBuilder& builder) {
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
  creators.push_back(std::make_unique<ServerFactory>());
  builder.experimental().SetInterceptorCreators(std::move(creators));
}

std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> ClientMetricsInterceptors() {
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> creators;
  creators.push_back(std::make_unique<ClientFactory>());
  return creators;
}

}  // namespace smsgw::rpc
