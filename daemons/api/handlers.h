#pragma once

#include "api/deps.h"
#include "api/http_types.h"

// The HTTP handlers: thin adapters from a request to the plain functions (send.h, views.h)
// and back. Two kinds (App decides where each runs):
// - Blocking handlers return their answer and may wait on gRPC or Redis; App runs them through
//   ApiDeps::offload, never on an HTTP I/O thread.
// - Asynchronous handlers run on the I/O thread (or an offload thread, after an
//   Idempotency-Key claim), must not block, and answer through `respond` (the sends: they hand
//   their messages to SendBatcher and answer when it is done).
namespace smsgw::api {

void HandleSendMessage(const ApiDeps& deps, const Call& call, Respond respond);  // POST /v1/messages
void HandleSendBatch(const ApiDeps& deps, const Call& call, Respond respond);    // POST /v1/messages/batch
void HandleKannelSend(const ApiDeps& deps, const Call& call, Respond respond);   // GET, POST /cgi-bin/sendsms
HttpResponse HandleHealthz(const ApiDeps& deps, const Call& call);               // GET /healthz (does not block)
HttpResponse HandleReadyz(const ApiDeps& deps, const Call& call);   // GET /readyz (the last check; does not block)
HttpResponse HandleOpenApi(const ApiDeps& deps, const Call& call);  // GET /v1/openapi.json (does not block)

HttpResponse HandleGetMessage(const ApiDeps& deps, const Call& call);  // GET /v1/messages/{id}
HttpResponse HandleBalance(const ApiDeps& deps, const Call& call);     // GET /v1/balance
HttpResponse HandleListMessages(const ApiDeps& deps, const Call& call);  // GET /v1/messages
HttpResponse HandleStats(const ApiDeps& deps, const Call& call);         // GET /v1/stats
// GET /v1/messages/export: validates on the calling thread, then streams on a thread of its own.
void HandleExport(const ApiDeps& deps, const Call& call, Respond respond);

}  // namespace smsgw::api
