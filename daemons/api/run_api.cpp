#include "api/run_api.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <exception>
#include <memory>

#include "api/app.h"
#include "api/auth.h"
#include "daemon/runtime.h"
#include "redis/redis.h"
#include "rpc/clients.h"
#include "api/server.h"
#include "sms/phone.h"

namespace smsgw::api {
namespace {

int Serve(const config::Config& config) {
  const config::ApiConfig& api = config.api;
  if (!sms::IsSupportedRegion(api.default_region)) {
    spdlog::critical("api.default_region: unknown region \"{}\"", api.default_region);
    return 2;
  }
  Result<std::unique_ptr<redis::Pool>> pool = redis::Pool::Open(config.redis);
  if (!pool.ok()) {
    spdlog::critical("redis: {}", pool.status().ToString());
    return 1;
  }
  rpc::LedgerClient ledger(api.ledger_address);
  rpc::ReportClient report(api.report_address);
  Authenticator auth(**pool, api.auth_cache_ms);

  ApiDeps deps;
  deps.config = &api;
  deps.pool = pool->get();
  deps.ledger = &ledger;
  deps.report = &report;
  deps.auth = &auth;
  deps.send = MakeSendDeps(api, **pool, ledger);
  App app(std::move(deps));

  HttpServer::Options options;
  options.listen = api.listen;
  options.threads = api.threads;
  options.max_body_bytes = api.max_body_bytes;
  HttpServer server(options, [&app](HttpRequest request) { return app.Handle(std::move(request)); });
  if (Status s = server.Start(); !s.ok()) {
    spdlog::critical("{}", s.ToString());
    return 1;
  }
  spdlog::info("listening on {} (port {}, {} threads); ledger {}, report {}", api.listen, server.port(), api.threads,
               api.ledger_address, api.report_address);
  daemon::NotifyReady();

  daemon::WaitForStop();
  daemon::NotifyStopping();
  server.Stop();  // joins the threads before app, clients and pool go away
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int RunApi(int argc, char** argv) {
  daemon::Startup startup = daemon::Start("smsgw-api", argc, argv);
  if (startup.exit_code >= 0) return startup.exit_code;
  try {
    return Serve(startup.config);
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
    return 1;
  }
}

}  // namespace smsgw::api
