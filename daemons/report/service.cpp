#include "service.h"

#include <spdlog/spdlog.h>

#include <optional>

#include "event.h"
#include "queries.h"
#include "rpc/call_metrics.h"
#include "rpc/status.h"

namespace smsgw::report {
namespace {

// A few threads are plenty for single-row reads; more would only queue on the PostgreSQL pool.
constexpr int kMaxServerThreads = 8;

int64_t MsOrZero(const pqxx::field& f) { return f.is_null() ? 0 : f.as<int64_t>(); }
std::string TextOrEmpty(const pqxx::field& f) {
  return f.is_null() ? std::string() : f.as<std::string>();
}

v1::MessageRecord ToRecord(const pqxx::row& r) {
  v1::MessageRecord m;
  m.set_id(r[0].as<std::string>());
  m.set_account_id(r[1].as<int64_t>());
  m.set_status(v1::StatusFromName(r[2].as<std::string>()));
  m.set_to(TextOrEmpty(r[3]));
  m.set_from(TextOrEmpty(r[4]));
  m.set_encoding(v1::EncodingFromName(TextOrEmpty(r[5])));
  m.set_segments(r[6].is_null() ? 0 : r[6].as<int32_t>());
  m.set_cost(MsOrZero(r[7]));
  m.set_priority(v1::PriorityFromName(TextOrEmpty(r[8])));
  m.set_client_ref(TextOrEmpty(r[9]));
  m.set_accepted_at_ms(MsOrZero(r[10]));
  m.set_submitted_at_ms(MsOrZero(r[11]));
  m.set_done_at_ms(MsOrZero(r[12]));
  m.set_operator_message_id(TextOrEmpty(r[13]));
  m.set_error(TextOrEmpty(r[14]));
  return m;
}

}  // namespace

Result<v1::MessageRecord> LookupMessage(pg::Pool& pool, int64_t account_id,
                                        const std::string& message_id) {
  Result<int64_t> created_ms = UuidV7TimeMs(message_id);
  if (!created_ms.ok()) return created_ms.status().WithContext("message_id");
  const std::string id = CanonicalUuid(message_id).value();
  std::optional<v1::MessageRecord> found;
  Status s = pool.Transact([&](pqxx::work& tx) {
    found.reset();
    pqxx::result rows = Exec(tx, sql::kGetMessage, id, created_ms.value(), account_id);
    if (!rows.empty()) found = ToRecord(rows[0]);
  });
  if (!s.ok()) return s.WithContext("report GetMessage");
  if (!found) return Status::NotFound("message " + id + " not found");
  return *std::move(found);
}

grpc::Status ReportService::GetMessage(grpc::ServerContext* /*context*/,
                                       const v1::GetMessageRequest* request,
                                       v1::MessageRecord* reply) {
  Result<v1::MessageRecord> record =
      LookupMessage(*pool_, request->account_id(), request->message_id());
  if (!record.ok()) {
    const ErrorCode code = record.status().code();
    if (code != ErrorCode::kNotFound && code != ErrorCode::kInvalidArgument) {
      spdlog::error("report: GetMessage {}: {}", request->message_id(), record.status().message());
    }
    return rpc::ToGrpc(record.status());
  }
  *reply = std::move(record).value();
  return grpc::Status::OK;
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
