#include "sched/run_sched.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <future>
#include <random>
#include <thread>

#include "daemon/runtime.h"
#include "sched/link_metrics.h"
#include "sched/queue_depths.h"
#include "sched/scheduler.h"
#include "smpp/operator_config.h"

namespace smsgw::sched {
namespace {

// The configured name (stable: a restart reads what it left pending at once), else the host
// name, the PID and a random suffix: two instances on one host, or a restarted container with
// PID 1, never share a name and take each other's in-flight entries (review M11). What a
// vanished name left pending is taken over by XAUTOCLAIM after sched.claim_idle_ms.
std::string ConsumerName(const config::SchedConfig& c) {
  if (!c.consumer.empty()) return c.consumer;
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  std::random_device rd;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%08x", rd());
  return std::string(host) + "-" + std::to_string(getpid()) + "-" + suffix;
}

}  // namespace

int RunSched(int argc, char** argv) {
  daemon::Startup start = daemon::Start("smsgw-sched", argc, argv);
  if (start.exit_code >= 0) return start.exit_code;
  const config::Config& config = start.config;
  if (config.operators.empty()) {
    spdlog::critical("no [[operators]] configured: nothing to send through");
    return 2;
  }
  Result<std::unique_ptr<redis::Connection>> conn = redis::Connection::Open(config.redis);
  if (!conn.ok()) {
    spdlog::critical("{}", conn.status().ToString());
    return 1;
  }
  rpc::LedgerClient ledger(config.sched.ledger_address);

  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::vector<std::unique_ptr<smpp::Client>> clients;
  std::vector<Route> routes;
  for (const config::OperatorConfig& op : config.operators) {
    clients.push_back(std::make_unique<smpp::Client>(io, smpp::ClientConfigFromOperator(op)));
    routes.push_back({op.name, op.prefixes, clients.back().get(), op});
  }
  const std::string consumer = ConsumerName(config.sched);
  Scheduler scheduler(config.sched, **conn, ledger, routes, consumer, !config.sched.consumer.empty());
  for (size_t i = 0; i < clients.size(); ++i) {
    smpp::Client& client = *clients[i];
    client.set_on_receipt([&scheduler, i](const smpp::Receipt& r, smpp::Client::Ack ack) {
      scheduler.OnReceipt(i, r, std::move(ack));
    });
    client.set_on_mo([&scheduler, i](const smpp::DeliverSm& d, smpp::Client::Ack ack) {
      scheduler.OnMo(i, d, std::move(ack));
    });
    client.set_on_late_response([&scheduler, i](const std::string& tag, size_t, const std::string& id) {
      scheduler.OnLateResponse(i, tag, id);
    });
    client.Start();
  }
  std::thread io_thread([&] { io.run(); });
  metrics::ScrapeCallbacks link_metrics;
  for (const auto& client : clients) ExportLinkMetrics(link_metrics, *client);
  QueueDepths queue_depths(config.redis);
  queue_depths.Start();

  std::atomic<bool> stop{false};
  std::thread loop([&] { scheduler.Run(stop); });
  spdlog::info("scheduler running as consumer '{}' with {} operator link(s)", consumer, clients.size());
  daemon::NotifyReady();
  daemon::WaitForStop();
  daemon::NotifyStopping();
  stop = true;
  loop.join();
  queue_depths.Stop();

  // Unbind every link, then let the io thread finish.
  std::vector<std::future<void>> unbound;
  for (auto& client : clients) {
    auto done = std::make_shared<std::promise<void>>();
    unbound.push_back(done->get_future());
    client->Stop([done] { done->set_value(); });
  }
  for (auto& f : unbound) f.wait_for(std::chrono::seconds(3));
  work.reset();
  io.stop();
  io_thread.join();
  clients.clear();
  spdlog::info("stopped");
  return 0;
}

}  // namespace smsgw::sched
