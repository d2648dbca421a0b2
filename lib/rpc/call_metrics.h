#pragma once

#include <grpcpp/grpcpp.h>

namespace smsgw::rpc {

// gRPC calls counted and timed on both sides, by method ("Ledger/DebitBatch") and status code
// ("OK", "UNAVAILABLE"):
//   smsgw_grpc_client_calls_total{method,code}, smsgw_grpc_client_call_seconds{method}
//   smsgw_grpc_server_calls_total{method,code}, smsgw_grpc_server_call_seconds{method}
// through gRPC's interceptors, so no call site changes. MakeChannel() adds the client side to
// every channel; a server adds the other with AddServerMetrics(builder) before BuildAndStart.
void AddServerMetrics(grpc::ServerBuilder& builder);

// The client interceptors MakeChannel() installs.
std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> ClientMetricsInterceptors();

}  // namespace smsgw::rpc
