// GET /v1/messages/export?format=csv|jsonl&since=&until=&status=: every message of the caller
// in the range, oldest first, streamed from smsgw-report's COPY to the client in HTTP chunks.
#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>
#include <thread>

#include "api/chunked_body.h"
#include "api/handlers.h"
#include "api/problem.h"
#include "api/query_params.h"
#include "api/report_params.h"

namespace smsgw::api {
namespace {

// Exports in progress in this process, each on a thread of its own (one lasts as long as its
// rows take, so it must not hold an offload thread). smsgw-report limits them again.
constexpr int kMaxExports = 4;
std::atomic<int> exports_running{0};

Result<v1::ExportRequest> ExportRequestFor(const Call& call) {
  Result<QueryParams> params = QueryParams::Parse(call.request.target, {"format", "since", "until", "status"});
  if (!params.ok()) return params.status();
  v1::ExportRequest req;
  req.set_account_id(call.account->id);
  const std::string format = params->Get("format").value_or("csv");
  if (format == "csv") {
    req.set_format(v1::EXPORT_CSV);
  } else if (format == "jsonl") {
    req.set_format(v1::EXPORT_JSONL);
  } else {
    return Status::InvalidArgument("format: must be csv or jsonl");
  }
  if (Status s = SetStatusAndTimeFilters(*params, &req); !s.ok()) return s;
  return req;
}

HttpResponse StreamingResponse(const v1::ExportRequest& req, std::shared_ptr<ChunkedBody> body) {
  HttpResponse r;
  r.status = 200;
  const bool csv = req.format() == v1::EXPORT_CSV;
  r.Set("Content-Type", csv ? "text/csv; charset=utf-8" : "application/x-ndjson");
  r.Set("Content-Disposition", csv ? "attachment; filename=\"messages.csv\"" : "attachment; filename=\"messages.jsonl\"");
  r.chunked = std::move(body);
  return r;
}

// The export's thread: answers with the first chunk (or the problem, if smsgw-report refuses
// before sending any), then passes chunks on as the client takes them.
void RunExport(const ApiDeps* deps, v1::ExportRequest req, Respond respond) {
  auto body = std::make_shared<ChunkedBody>();
  bool answered = false;
  Status s = deps->report->ExportMessages(req, [&](const v1::ExportChunk& chunk) {
    if (!answered) {
      respond(StreamingResponse(req, body));
      answered = true;
    }
    return body->Write(chunk.data());
  });
  if (!answered) {  // nothing came: an empty export, or a refusal
    if (s.ok()) {
      respond(StreamingResponse(req, body));
      body->Finish();
    } else if (s.code() == ErrorCode::kInvalidArgument) {
      respond(ProblemResponse(s));
    } else {
      respond(DependencyFailed(s));
    }
  } else if (s.ok()) {
    body->Finish();
  } else {
    spdlog::warn("export for account {} cut short: {}", req.account_id(), s.message());
    body->Abort();
  }
  exports_running.fetch_sub(1);
}

}  // namespace

void HandleExport(const ApiDeps& deps, const Call& call, Respond respond) {
  Result<v1::ExportRequest> req = ExportRequestFor(call);
  if (!req.ok()) return respond(ProblemResponse(req.status()));
  if (exports_running.fetch_add(1) >= kMaxExports) {
    exports_running.fetch_sub(1);
    return respond(DependencyFailed(Status::Unavailable("too many exports in progress")));
  }
  try {
    std::thread(RunExport, &deps, std::move(req).value(), std::move(respond)).detach();
  } catch (const std::system_error&) {
    exports_running.fetch_sub(1);
    throw;  // App answers 500 and logs it
  }
}

}  // namespace smsgw::api
