#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "pg/pg.h"
#include "proto/smsgw.grpc.pb.h"

namespace smsgw::report {

// Reads one message of one account from `messages`. kInvalidArgument for an id that is not a
// UUIDv7, kNotFound when that account has no such message (or it is not written yet),
// kUnavailable / kInternal when PostgreSQL fails.
Result<v1::MessageRecord> LookupMessage(pg::Pool& pool, int64_t account_id,
                                        const std::string& message_id);

// The Report gRPC service: a thin adapter over LookupMessage. Thread-safe; `pool` must outlive it.
class ReportService final : public v1::Report::Service {
 public:
  explicit ReportService(pg::Pool* pool) : pool_(pool) {}

  grpc::Status GetMessage(grpc::ServerContext* context, const v1::GetMessageRequest* request,
                          v1::MessageRecord* reply) override;

 private:
  pg::Pool* pool_;
};

// A started synchronous server answering `service` on `listen` ("127.0.0.1:7002"; port 0 picks a
// free one, stored in *bound_port when given). `service` must outlive the server.
Result<std::unique_ptr<grpc::Server>> StartServer(const std::string& listen, ReportService* service,
                                                  int* bound_port = nullptr);

}  // namespace smsgw::report
