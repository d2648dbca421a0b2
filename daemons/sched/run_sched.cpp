#include "sched/run_sched.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <future>
#include <thread>

#include "daemon/runtime.h"
#include "sched/link_metrics.h"
#include "sched/scheduler.h"
#include "smpp/operator_config.h"

namespace smsgw::sched {
namespace {

// A stable name, so a restarted scheduler finds the entries it took before it died.
std::string ConsumerName(const config::SchedConfig& c) {
  if (!c.consumer.empty()) return c.consumer;
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return std::string(host);
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
    routes.push_back({op.name, op.prefixes, clients.back().get()});
  }
  Scheduler scheduler(config.sched, **conn, ledger, routes, ConsumerName(config.sched));
  for (auto& client : clients) {
    const std::string name = client->config().operator_name;
    client->set_on_receipt([&scheduler, name](const smpp::Receipt& r) { scheduler.OnReceipt(name, r); });
    client->Start();
  }
  std::thread io_thread([&] { io.run(); });
  metrics::ScrapeCallbacks link_metrics;
  for (const auto& client : clients) ExportLinkMetrics(link_metrics, *client);

  std::atomic<bool> stop{false};
  std::thread loop([&] { scheduler.Run(stop); });
  spdlog::info("scheduler running as consumer '{}' with {} operator link(s)", ConsumerName(config.sched),
               clients.size());
  daemon::NotifyReady();
  daemon::WaitForStop();
  daemon::NotifyStopping();
  stop = true;
  loop.join();

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
