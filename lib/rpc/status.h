#pragma once

#include <grpcpp/grpcpp.h>

#include <string_view>

#include "common/status.h"

namespace smsgw::rpc {

// The one mapping between smsgw's ErrorCode and gRPC status codes, both ways.
grpc::Status ToGrpc(const Status& status);
// `what` names the call ("ledger Debit") in the message.
Status FromGrpc(const grpc::Status& status, std::string_view what);

// An insecure channel to a loopback or private-network address ("127.0.0.1:7001").
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address);

}  // namespace smsgw::rpc
