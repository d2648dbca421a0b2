#include "api/run_api.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <exception>
#include <memory>

#include "api/app.h"
#include "api/auth.h"
#include "api/auth_events.h"
#include "api/dependency_monitor.h"
#include "api/hold_state.h"
#include "api/idempotency_gate.h"
#include "api/rate_limiter.h"
#include "api/redis_batcher.h"
#include "api/send_batcher.h"
#include "api/server.h"
#include "common/time.h"
#include "daemon/heartbeat.h"
#include "daemon/runtime.h"
#include "keys/keys.h"
#include "redis/redis.h"
#include "rpc/clients.h"
#include "sms/phone.h"
#include "sms/uuid7.h"

namespace smsgw::api {
namespace {

using std::chrono::milliseconds;

// Threads for the work that may block (key lookups on a cache miss, report and balance
// queries, hold lookups), so the HTTP I/O threads never do.
constexpr int kOffloadThreads = 4;
// Dependency checks answer within this, so /readyz stays fresh even when one hangs.
constexpr milliseconds kProbeDeadline{1000};
// A message id no account has: the report daemon answers NOT_FOUND when it is up.
constexpr const char* kProbeMessageId = "00000000-0000-7000-8000-000000000000";

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

DependencyMonitor::Probes MakeProbes(redis::Pool& pool, rpc::LedgerClient& ledger, rpc::ReportClient& report) {
  DependencyMonitor::Probes p;
  p.redis = [&pool](DependencyReport* r) {
    const std::vector<redis::Command> cmds = {
        {"PING"}, {"EXISTS", keys::kLedgerReady}, {"XLEN", keys::kExpressQueue}, {"XLEN", keys::kReportEvents}};
    redis::Pool::Lease conn = pool.Acquire();
    Result<std::vector<redis::Reply>> replies = conn->Pipeline(cmds);
    Status s = replies.ok() ? redis::PipelineStatus(cmds, *replies) : replies.status();
    r->redis = s.ok();
    r->redis_error = s.ToString();
    if (!s.ok()) return;
    r->loaded = (*replies)[1].integer == 1;
    r->express_backlog = (*replies)[2].integer;
    r->report_backlog = (*replies)[3].integer;
  };
  // Any answer from the daemon itself means it is up; only a failed call (Unavailable) is not.
  p.ledger = [&ledger]() -> Status {
    Result<v1::BalanceReply> r = ledger.GetBalance(0);
    return r.ok() || r.status().code() != ErrorCode::kUnavailable ? Status::Ok() : r.status();
  };
  p.report = [&report]() -> Status {
    Result<v1::MessageRecord> r = report.GetMessage(0, kProbeMessageId);
    return r.ok() || r.status().code() != ErrorCode::kUnavailable ? Status::Ok() : r.status();
  };
  return p;
}

HttpServer::Options ServerOptions(const config::ApiConfig& api) {
  HttpServer::Options o;
  o.listen = api.listen;
  o.threads = api.threads;
  o.max_body_bytes = api.max_body_bytes;
  o.max_header_bytes = api.max_header_bytes;
  o.max_connections = api.max_connections;
  o.read_timeout = milliseconds(api.read_timeout_ms);
  o.idle_timeout = milliseconds(api.idle_timeout_ms);
  return o;
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
  rpc::LedgerClient ledger(api.ledger_address, milliseconds(api.ledger_timeout_ms));
  rpc::ReportClient report(api.report_address);
  rpc::LedgerClient ledger_probe(api.ledger_address, kProbeDeadline);
  rpc::ReportClient report_probe(api.report_address, kProbeDeadline);

  Authenticator auth(**pool, api.auth_cache_ms);
  // Until revocations are heard (subscribed to smsgw:auth), cached keys live 1 s at most.
  auth.set_revocations_heard(false);
  AuthEvents auth_events(config.redis, {.key = [&auth](const std::string& hash) { auth.Forget(hash); },
                                        .account = [&auth](int64_t id) { auth.ForgetAccount(id); },
                                        .all = [&auth] { auth.ForgetAll(); },
                                        .subscribed = [&auth](bool on) { auth.set_revocations_heard(on); }});
  DependencyMonitor monitor(MakeProbes(**pool, ledger_probe, report_probe),
                            {.max_express_backlog = api.max_express_backlog,
                             .max_report_backlog = api.max_report_backlog,
                             .report_grace = milliseconds(api.report_grace_ms)},
                            milliseconds(api.health_interval_ms));
  RateLimiter limiter(static_cast<double>(api.rate_limit_rps), static_cast<double>(api.rate_limit_burst));
  SendBatcher sender({.workers = api.send_workers,
                      .max_wait = std::chrono::microseconds(api.coalesce_wait_us),
                      .max_items = static_cast<size_t>(api.coalesce_max_items),
                      .max_queued_items = static_cast<size_t>(api.max_queued_messages)},
                     MakeSendDeps(api, **pool, ledger));
  RedisBatcher small_commands({.workers = 2, .max_wait = std::chrono::microseconds(api.coalesce_wait_us)}, **pool);
  boost::asio::thread_pool offload(kOffloadThreads);
  daemon::Heartbeat offload_heartbeat("api offload pool", [&offload](auto beat) { boost::asio::post(offload, beat); });
  auto run_offloaded = [&offload](std::function<void()> task) { boost::asio::post(offload, std::move(task)); };
  auto run_after = [&offload](milliseconds delay, std::function<void()> task) {
    auto timer = std::make_shared<boost::asio::steady_timer>(offload.get_executor(), delay);
    timer->async_wait([timer, task = std::move(task)](const boost::system::error_code& ec) {
      if (!ec) task();
    });
  };

  IdempotencyGate idempotency({
      .redis = [&small_commands](redis::Command c, std::function<void(Result<redis::Reply>)> done) {
        small_commands.Run(std::move(c), std::move(done));
      },
      .offload = run_offloaded,
      .after = run_after,
      .holds = [&pool, retention_ms = config.ledger.hold_retention_s * 1000](int64_t account,
                                                                              const std::vector<std::string>& ids) {
        redis::Pool::Lease conn = (*pool)->Acquire();
        return ReadHolds(*conn, account, ids, NowMs(), retention_ms);
      },
      .now_ms = [] { return NowMs(); },
      .new_token = [] { return sms::NewUuidV7(); },
      .wait = milliseconds(api.idempotency_wait_ms),
      .stale = milliseconds(api.idempotency_stale_ms),
  });

  ApiDeps deps;
  deps.config = &api;
  for (const config::OperatorConfig& op : config.operators) deps.operator_names.push_back(op.name);
  deps.callback_allow_private = config.report.webhook_allow_private;
  deps.pool = pool->get();
  deps.ledger = &ledger;
  deps.report = &report;
  deps.auth = &auth;
  deps.sender = &sender;
  deps.limiter = &limiter;
  deps.monitor = &monitor;
  deps.idempotency = &idempotency;
  deps.admit_sends = [&monitor] { return monitor.AdmitSends(); };
  deps.offload = run_offloaded;
  deps.after = run_after;
  deps.new_id = [] { return sms::NewUuidV7(); };
  deps.now_ms = [] { return NowMs(); };
  deps.hold_retention_ms = config.ledger.hold_retention_s * 1000;
  App app(std::move(deps));

  monitor.Start();
  auth_events.Start();

  HttpServer server(ServerOptions(api), [&app](HttpRequest request, Respond respond) {
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
  // Refuse new connections, finish the requests in flight (their sends and idempotency records
  // included), then stop the threads: first the I/O threads, then the work that answers
  // through them.
  server.Shutdown(milliseconds(api.shutdown_grace_ms));
  server.Stop();
  sender.Stop();
  offload.stop();  // what is left are timers of requests already answered
  offload.join();
  small_commands.Stop();
  monitor.Stop();
  auth_events.Stop();
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
