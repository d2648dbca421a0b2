#include "ledger/run_ledger.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/resource_quota.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "common/time.h"
#include "daemon/heartbeat.h"
#include "daemon/runtime.h"
#include "ledger/account_store.h"
#include "ledger/admin.h"
#include "ledger/books.h"
#include "ledger/flusher.h"
#include "ledger/ledger.h"
#include "ledger/ledger_service.h"
#include "ledger/money_store.h"
#include "ledger/resync.h"
#include "ledger/sweeper.h"
#include "ledger/ticker.h"
#include "ledger/topups.h"
#include "rpc/call_metrics.h"

namespace smsgw::ledger {
namespace {

constexpr int kPendingTopUps = 1000;
constexpr std::chrono::milliseconds kWatchInterval(1000);
constexpr int kSweepBatch = 1000;

// The sync gRPC server runs each call on a thread of its own, and a handler holds one Redis
// connection for its round trip. gRPC's defaults (one to two polling threads) end every
// thread that finishes a call while two others poll, so concurrent batch calls from several
// clients create and end a thread for most calls (measured: 294 threads created for 1,200
// calls from 8 clients; 69 when up to a Redis pool's worth of idle threads keep polling, as
// below; four times as many pollers created fewer still, but made new connections' handshakes
// slower on a loaded machine). Threads beyond the pool only wait for a connection, so their
// number is capped: past the cap gRPC answers RESOURCE_EXHAUSTED (Unavailable to the caller,
// which may retry: every item is idempotent) rather than piling up threads.
void SizeServerThreads(grpc::ServerBuilder& builder, int redis_pool_size) {
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::NUM_CQS, 1);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 2);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, std::max(2, redis_pool_size));
  grpc::ResourceQuota quota("smsgw-ledger");
  quota.SetMaxThreads(std::max(64, 8 * redis_pool_size));
  builder.SetResourceQuota(quota);
}

}  // namespace

int RunLedger(int argc, char** argv) {
  daemon::Startup start = daemon::Start("smsgw-ledger", argc, argv);
  if (start.exit_code >= 0) return start.exit_code;
  const config::Config& config = start.config;

  Result<std::unique_ptr<redis::Pool>> redis = redis::Pool::Open(config.redis);
  if (!redis.ok()) {
    spdlog::critical("{}", redis.status().ToString());
    return 1;
  }
  Result<std::unique_ptr<pg::Pool>> pg = pg::Pool::Open(config.postgres);
  if (!pg.ok()) {
    spdlog::critical("{}", pg.status().ToString());
    return 1;
  }
  AccountStore accounts(**pg);
  MoneyStore money(**pg);
  const int64_t retention_ms = config.ledger.hold_retention_s * 1000;
  Unflushed unflushed;
  Ledger ledger(**redis, retention_ms, unflushed);
  Admin admin(**redis, accounts);
  TopUps topups(**redis, money);
  Flusher flusher(**redis, money, unflushed);
  Sweeper sweeper(**redis, retention_ms);
  Resync resync(**redis, money, accounts, topups, unflushed);
  Books books(**redis, money, topups);

  // Redis or PostgreSQL may still be starting (a whole host coming up): wait a while for them.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (Status s = resync.Run().status(); !s.ok(); s = resync.Run().status()) {
    if (s.code() != ErrorCode::kUnavailable || std::chrono::steady_clock::now() > give_up) {
      spdlog::critical("loading Redis: {}", s.ToString());
      return 1;
    }
    spdlog::warn("loading Redis: {}; retrying", s.ToString());
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  // What Redis has and PostgreSQL not yet (from before a crash) is flushed before new traffic.
  if (Result<int> n = flusher.FlushAll(); !n.ok()) {
    spdlog::critical("flush at start: {}", n.status().ToString());
    return 1;
  }

  LedgerService service(ledger, admin, topups, books);
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(config.ledger.listen, grpc::InsecureServerCredentials(), &bound_port);
  builder.RegisterService(&service);
  SizeServerThreads(builder, config.redis.pool_size);
  rpc::AddServerMetrics(builder);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || bound_port == 0) {
    spdlog::critical("cannot listen on {}", config.ledger.listen);
    return 1;
  }
  spdlog::info("ledger listening on {}", config.ledger.listen);
  {
    Ticker checker("check", std::chrono::seconds(config.ledger.check_interval_s),
                   [&] { return resync.Run().status(); });
    // Redis reloaded within a second of losing its data or restarting (reviews M7, M12).
    Ticker watch("watch", std::min(kWatchInterval, std::chrono::milliseconds(config.ledger.flush_interval_ms)),
                 [&]() -> Status {
                   Result<bool> needed = resync.Needed();
                   if (needed.ok() && *needed) checker.Wake();
                   return needed.status();
                 });
    // Each round: flush every marked account, finish top-ups whose Redis step failed (review m13).
    Ticker flush("flush", std::chrono::milliseconds(config.ledger.flush_interval_ms), [&]() -> Status {
      if (Result<int> n = flusher.FlushAll(); !n.ok()) return n.status();
      return topups.FinishPending(kPendingTopUps).status();
    });
    Ticker sweep("sweep", std::chrono::milliseconds(config.ledger.sweep_interval_ms),
                 [&] { return sweeper.SweepOnce(NowMs(), kSweepBatch).status(); });
    daemon::NotifyReady();
    daemon::WaitForStop();
    daemon::NotifyStopping();
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  }
  // One last flush so a clean stop leaves PostgreSQL's balances current.
  if (Result<int> n = flusher.FlushAll(); !n.ok()) spdlog::warn("final flush: {}", n.status().ToString());
  spdlog::info("stopped");
  return 0;
}

}  // namespace smsgw::ledger
