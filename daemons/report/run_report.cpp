#include "run_report.h"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

#include "consumer.h"
#include "consumer_metrics.h"
#include "daemon/runtime.h"
#include "pg/pg.h"
#include "report_lag.h"
#include "service.h"
#include "webhook_dispatcher.h"
#include "writer.h"

namespace smsgw::report {
namespace {

// How long in-flight GetMessage calls get to finish on the way out.
constexpr auto kShutdownGrace = std::chrono::seconds(2);

}  // namespace

int RunReport(int argc, char** argv) {
  // Batches of thousands of events make buffers of a megabyte or more, allocated and freed
  // several times a second. Served by mmap (glibc's default above 128 kB, adapting upwards only
  // slowly) each one costs fresh zeroed pages and a page fault per 4 kB; kept in the heap they
  // are reused.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
  daemon::Startup startup = daemon::Start("smsgw-report", argc, argv);
  if (startup.exit_code >= 0) return startup.exit_code;
  const config::Config& config = startup.config;

  Result<std::unique_ptr<pg::Pool>> pool = pg::Pool::Open(config.postgres);
  if (!pool.ok()) {
    spdlog::critical("{}", pool.status().message());
    return 1;
  }
  // The writer, the short reads and the exports each get their own connections: a slow export
  // or a burst of list calls must never hold up the event writer, nor the writer the reads.
  config::PostgresConfig read_config = config.postgres;
  config::PostgresConfig export_config = config.postgres;
  export_config.pool_size = ReportService::kMaxExports;
  Result<std::unique_ptr<pg::Pool>> read_pool = pg::Pool::Open(read_config);
  Result<std::unique_ptr<pg::Pool>> export_pool =
      read_pool.ok() ? pg::Pool::Open(export_config) : Result<std::unique_ptr<pg::Pool>>(read_pool.status());
  if (!export_pool.ok()) {
    spdlog::critical("{}", export_pool.status().message());
    return 1;
  }
  BatchWriter writer(pool->get());
  writer.set_retention_days(config.report.retention_days);
  StreamConsumer consumer(OptionsFromConfig(config.report), config.redis, &writer);
  if (Status s = consumer.Init(); !s.ok()) {
    spdlog::critical("{}", s.message());
    return 1;
  }
  ReportService service(read_pool->get(), export_pool->get());
  Result<std::unique_ptr<grpc::Server>> server = StartServer(config.report.listen, &service);
  if (!server.ok()) {
    spdlog::critical("{}", server.status().message());
    return 1;
  }

  config::PostgresConfig callback_config = config.postgres;
  callback_config.pool_size = 1;
  Result<std::unique_ptr<pg::Pool>> callback_pool = pg::Pool::Open(callback_config);
  if (!callback_pool.ok()) {
    spdlog::critical("{}", callback_pool.status().message());
    return 1;
  }
  WebhookDispatcher dispatcher(DispatcherOptionsFromConfig(config.report), callback_pool->get());

  metrics::ScrapeCallbacks stats_metrics;
  ExportConsumerMetrics(stats_metrics, consumer.stats());
  ReportLag lag(config.redis);
  lag.Start();
  std::thread loop([&] { consumer.Run(); });
  std::thread callbacks([&] { dispatcher.Run(); });
  daemon::NotifyReady();
  daemon::WaitForStop();
  daemon::NotifyStopping();

  // The loop first: its batch is written and acked, or left pending unacked, before we go.
  consumer.Stop();
  dispatcher.Stop();
  loop.join();
  callbacks.join();
  lag.Stop();
  server.value()->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
  server.value()->Wait();
  const ConsumerStats& stats = consumer.stats();
  spdlog::info("stopped: {} events written as {} rows in {} batches, {} entries dropped",
               stats.events_written.load(), stats.rows_written.load(), stats.batches_written.load(),
               stats.entries_dropped.load());
  return 0;
}

}  // namespace smsgw::report
