#include "service.h"

#include <spdlog/spdlog.h>

#include <optional>

#include "common/time.h"
#include "event.h"
#include "export.h"
#include "queries.h"
#include "reads.h"
#include "rpc/call_metrics.h"
#include "rpc/status.h"

namespace smsgw::report {
namespace {

// Short reads plus up to kMaxExports long exports; more would only queue on the pools.
constexpr int kMaxServerThreads = 8 + ReportService::kMaxExports;

// The reply for a failed call: the status as gRPC has it, logged unless it is the caller's.
template <typename T>
grpc::Status Answer(const char* what, Result<T> result, T* reply) {
  if (!result.ok()) {
    const ErrorCode code = result.status().code();
    if (code != ErrorCode::kNotFound && code != ErrorCode::kInvalidArgument) {
      spdlog::error("report: {}: {}", what, result.status().message());
    }
    return rpc::ToGrpc(result.status());
  }
  *reply = std::move(result).value();
  return grpc::Status::OK;
}

}  // namespace

grpc::Status ReportService::GetMessage(grpc::ServerContext*, const v1::GetMessageRequest* request,
                                       v1::MessageRecord* reply) {
  return Answer("GetMessage", LookupMessage(*reads_, *request), reply);
}

grpc::Status ReportService::ListMessages(grpc::ServerContext*, const v1::ListMessagesRequest* request,
                                         v1::ListMessagesReply* reply) {
  return Answer("ListMessages", report::ListMessages(*reads_, *request), reply);
}

grpc::Status ReportService::GetStats(grpc::ServerContext*, const v1::StatsRequest* request,
                                     v1::StatsReply* reply) {
  return Answer("GetStats", report::GetStats(*reads_, *request, NowMs()), reply);
}

grpc::Status ReportService::ListWebhooks(grpc::ServerContext*, const v1::ListWebhooksRequest* request,
                                         v1::ListWebhooksReply* reply) {
  return Answer("ListWebhooks", report::ListWebhooks(*reads_, *request), reply);
}

grpc::Status ReportService::ExportMessages(grpc::ServerContext* context, const v1::ExportRequest* request,
                                           grpc::ServerWriter<v1::ExportChunk>* writer) {
  if (exports_running_.fetch_add(1) >= kMaxExports) {
    exports_running_.fetch_sub(1);
    return rpc::ToGrpc(Status::Unavailable("too many exports at once; retry later"));
  }
  int64_t rows = 0;
  // Write blocks while the receiver's flow-control window is full, so a slow reader slows the
  // COPY instead of filling memory.
  Status s = report::ExportMessages(*exports_, *request, [&](const v1::ExportChunk& chunk) {
    rows += chunk.rows();
    return !context->IsCancelled() && writer->Write(chunk);
  });
  exports_running_.fetch_sub(1);
  if (s.ok()) {
    spdlog::info("report: exported {} rows of account {}", rows, request->account_id());
  } else if (s.code() != ErrorCode::kInvalidArgument) {
    spdlog::warn("report: export for account {} ended after {} rows: {}", request->account_id(), rows, s.message());
  }
  return rpc::ToGrpc(s);
}

Result<std::unique_ptr<grpc::Server>> StartServer(const std::string& listen, ReportService* service,
                                                  int* bound_port) {
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(service);
  grpc::ResourceQuota quota("smsgw-report");
  quota.SetMaxThreads(kMaxServerThreads);
  builder.SetResourceQuota(quota);
  rpc::AddServerMetrics(builder);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) return Status::Unavailable("report: cannot listen on " + listen);
  if (bound_port != nullptr) *bound_port = port;
  spdlog::info("report: gRPC listening on {} (port {})", listen, port);
  return server;
}

}  // namespace smsgw::report
