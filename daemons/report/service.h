#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "pg/pg.h"
#include "proto/smsgw.grpc.pb.h"

namespace smsgw::report {

// The Report gRPC service: thin adapters over reads.h and export.h. Thread-safe.
class ReportService final : public v1::Report::Service {
 public:
  // At most this many exports run at once; more get UNAVAILABLE (retry later).
  static constexpr int kMaxExports = 4;

  // `reads` serves the short queries, `exports` the long COPYs (at least kMaxExports
  // connections), so neither can take the connections the other, or the writer, needs. Both
  // must outlive the service; they may be the same pool in tests.
  ReportService(pg::Pool* reads, pg::Pool* exports) : reads_(reads), exports_(exports) {}

  grpc::Status GetMessage(grpc::ServerContext* context, const v1::GetMessageRequest* request,
                          v1::MessageRecord* reply) override;
  grpc::Status ListMessages(grpc::ServerContext* context, const v1::ListMessagesRequest* request,
                            v1::ListMessagesReply* reply) override;
  grpc::Status ExportMessages(grpc::ServerContext* context, const v1::ExportRequest* request,
                              grpc::ServerWriter<v1::ExportChunk>* writer) override;
  grpc::Status GetStats(grpc::ServerContext* context, const v1::StatsRequest* request,
                        v1::StatsReply* reply) override;
  grpc::Status ListWebhooks(grpc::ServerContext* context, const v1::ListWebhooksRequest* request,
                            v1::ListWebhooksReply* reply) override;

 private:
  pg::Pool* reads_;
  pg::Pool* exports_;
  std::atomic<int> exports_running_{0};
};

// A started synchronous server answering `service` on `listen` ("127.0.0.1:7002"; port 0 picks a
// free one, stored in *bound_port when given). `service` must outlive the server.
Result<std::unique_ptr<grpc::Server>> StartServer(const std::string& listen, ReportService* service,
                                                  int* bound_port = nullptr);

}  // namespace smsgw::report
