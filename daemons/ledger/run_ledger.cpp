#include "ledger/run_ledger.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/resource_quota.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <thread>

#include "ledger/account_store.h"
#include "ledger/admin.h"
#include "ledger/money_store.h"
#include "common/time.h"
#include "daemon/runtime.h"
#include "ledger/ledger.h"
#include "ledger/ledger_service.h"

namespace smsgw::ledger {
namespace {

constexpr int kFlushBatch = 1000;
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

// Runs `step` every `interval` until stopped; a failing step is logged and retried next time.
class Ticker {
 public:
  template <typename Fn>
  Ticker(const char* name, std::chrono::milliseconds interval, Fn step)
      : thread_([this, name, interval, step] {
          std::unique_lock lock(mu_);
          while (!cv_.wait_for(lock, interval, [&] { return stop_; })) {
            lock.unlock();
            Status s = step();
            if (!s.ok()) spdlog::warn("{}: {}", name, s.ToString());
            lock.lock();
          }
        }) {}
  ~Ticker() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

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
  Ledger ledger(**redis, money, accounts);
  Admin admin(**redis, accounts);
  // Redis or PostgreSQL may still be starting (a whole host coming up): wait a while for them.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (Status s = ledger.WarmUp(); !s.ok(); s = ledger.WarmUp()) {
    if (s.code() != ErrorCode::kUnavailable || std::chrono::steady_clock::now() > give_up) {
      spdlog::critical("warm-up: {}", s.ToString());
      return 1;
    }
    spdlog::warn("warm-up: {}; retrying", s.ToString());
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  // Deltas still in Redis from before a crash are flushed first, before new traffic.
  while (true) {
    Result<int> n = ledger.FlushOnce(kFlushBatch);
    if (!n.ok()) {
      spdlog::critical("flush at start: {}", n.status().ToString());
      return 1;
    }
    if (*n == 0) break;
  }

  LedgerService service(ledger, admin);
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(config.ledger.listen, grpc::InsecureServerCredentials(), &bound_port);
  builder.RegisterService(&service);
  SizeServerThreads(builder, config.redis.pool_size);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || bound_port == 0) {
    spdlog::critical("cannot listen on {}", config.ledger.listen);
    return 1;
  }
  spdlog::info("ledger listening on {}", config.ledger.listen);
  {
    Ticker flusher("flush", std::chrono::milliseconds(config.ledger.flush_interval_ms), [&] {
      return ledger.FlushOnce(kFlushBatch).status();
    });
    Ticker sweeper("sweep", std::chrono::milliseconds(config.ledger.sweep_interval_ms), [&] {
      return ledger.SweepOnce(NowMs(), kSweepBatch).status();
    });
    daemon::NotifyReady();
    daemon::WaitForStop();
    daemon::NotifyStopping();
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  }
  // One last flush so a clean stop leaves PostgreSQL's balances current.
  if (Result<int> n = ledger.FlushOnce(kFlushBatch); !n.ok()) spdlog::warn("final flush: {}", n.status().ToString());
  spdlog::info("stopped");
  return 0;
}

}  // namespace smsgw::ledger
