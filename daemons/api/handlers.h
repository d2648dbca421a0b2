#pragma once

#include <string>
#include <vector>

#include "api/account.h"
#include "api/auth.h"
#include "config/config.h"
#include "api/http_types.h"
#include "redis/redis.h"
#include "rpc/clients.h"
#include "api/send.h"

// The HTTP handlers: thin adapters from a request to the plain functions (send.h, views.h)
// and back. They run on the server's Asio threads and, in this first version, call the
// blocking gRPC clients and Redis pool from there: a request holds its thread while it waits,
// so api.threads bounds the requests in flight. Moving SendMessage's dependencies to async
// gRPC / async Redis later changes SendDeps, not the handlers' shape.
namespace smsgw::api {

// What the handlers share. Owned by RunApi, which outlives the server.
struct ApiDeps {
  const config::ApiConfig* config = nullptr;
  redis::Pool* pool = nullptr;
  rpc::LedgerClient* ledger = nullptr;
  rpc::ReportClient* report = nullptr;
  Authenticator* auth = nullptr;
  SendDeps send;  // built once from the above by MakeSendDeps
};

// SendDeps bound to the real ledger client and Redis pool.
SendDeps MakeSendDeps(const config::ApiConfig& config, redis::Pool& pool, rpc::LedgerClient& ledger);

// One routed request.
struct Call {
  const HttpRequest& request;
  const std::vector<std::string>& params;  // the route's "{...}" segments
  const Account* account = nullptr;        // the caller, on routes that need a key
};

HttpResponse HandleSendMessage(const ApiDeps& deps, const Call& call);  // POST /v1/messages
HttpResponse HandleGetMessage(const ApiDeps& deps, const Call& call);   // GET /v1/messages/{id}
HttpResponse HandleBalance(const ApiDeps& deps, const Call& call);      // GET /v1/balance
HttpResponse HandleHealthz(const ApiDeps& deps, const Call& call);      // GET /healthz
HttpResponse HandleReadyz(const ApiDeps& deps, const Call& call);       // GET /readyz

}  // namespace smsgw::api
