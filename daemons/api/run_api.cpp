#include "api/run_api.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <exception>
#include <memory>

#include "api/app.h"
#include "api/auth.h"
#include "daemon/runtime.h"
#include "redis/redis.h"
#include "rpc/clients.h"
#include "api/send_batcher.h"
#include "api/server.h"
#include "common/time.h"
#include "sms/uuid7.h"
#include "sms/phone.h"

namespace smsgw::api {
namespace {

// Threads for the work that may block (key lookups on a cache miss, report and balance
// queries), so the HTTP I/O threads never do.
constexpr int kOffloadThreads = 4;

SendDeps MakeSendDeps(const config::ApiConfig& config, redis::Pool& pool, rpc::LedgerClient& ledger) {
  SendDeps d;
  d.debit = [&ledger](const v1::DebitBatchRequest& req) { return ledger.DebitBatch(req); };
  d.refund = [&ledger](const v1::RefundBatchRequest& req) { return ledger.RefundBatch(req); };
  d.pipeline = [&pool](const std::vector<redis::Command>& cmds) {
    redis::Pool::Lease conn = pool.Acquire();
    return conn->Pipeline(cmds);
  };
  d.hold_ttl_s = config.hold_ttl_s;
  return d;
}

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
  rpc::LedgerClient ledger(api.ledger_address, std::chrono::milliseconds(api.ledger_timeout_ms));
  rpc::ReportClient report(api.report_address);
  Authenticator auth(**pool, api.auth_cache_ms);
  SendBatcher::Options batching;
  batching.workers = api.send_workers;
  batching.max_wait = std::chrono::microseconds(api.coalesce_wait_us);
  batching.max_items = static_cast<size_t>(api.coalesce_max_items);
  batching.max_queued_items = static_cast<size_t>(api.max_queued_messages);
  SendBatcher sender(batching, MakeSendDeps(api, **pool, ledger));
  boost::asio::thread_pool offload(kOffloadThreads);

  ApiDeps deps;
  deps.config = &api;
  deps.pool = pool->get();
  deps.ledger = &ledger;
  deps.report = &report;
  deps.auth = &auth;
  deps.sender = &sender;
  deps.offload = [&offload](std::function<void()> task) { boost::asio::post(offload, std::move(task)); };
  deps.new_id = [] { return sms::NewUuidV7(); };
  deps.now_ms = [] { return NowMs(); };
  deps.hold_retention_ms = config.ledger.hold_retention_s * 1000;
  App app(std::move(deps));

  HttpServer::Options options;
  options.listen = api.listen;
  options.threads = api.threads;
  options.max_body_bytes = api.max_body_bytes;
  HttpServer server(options, [&app](HttpRequest request, Respond respond) {
    app.Handle(std::move(request), std::move(respond));
  });
  if (Status s = server.Start(); !s.ok()) {
    spdlog::critical("{}", s.ToString());
    return 1;
  }
  spdlog::info("listening on {} (port {}, {} threads); ledger {}, report {}", api.listen, server.port(), api.threads,
               api.ledger_address, api.report_address);
  daemon::NotifyReady();

  daemon::WaitForStop();
  daemon::NotifyStopping();
  // The I/O threads first, then the work that answers through them: the batcher's and the
  // offload pool's answers are posted to an io_context that still exists but no longer runs.
  server.Stop();
  sender.Stop();
  offload.join();
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
