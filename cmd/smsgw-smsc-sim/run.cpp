// smsgw-smsc-sim: flags, logging and signals around Server.

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>

#include "log/log.h"
#include "smsgw-smsc-sim/server.h"

namespace smsgw::smsc_sim {
namespace {

// "127.0.0.1:2775" -> host, port. Fails on a missing or non-numeric port.
Status SplitHostPort(const std::string& listen, ServerOptions& options) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::InvalidArgument("--listen " + listen + ": expected host:port");
  }
  const std::string port = listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535) {
    return Status::InvalidArgument("--listen " + listen + ": bad port");
  }
  options.listen_host = listen.substr(0, colon);
  if (options.listen_host.size() > 2 && options.listen_host.front() == '[') {
    options.listen_host = options.listen_host.substr(1, options.listen_host.size() - 2);
  }
  options.port = static_cast<uint16_t>(std::stoi(port));
  return Status::Ok();
}

}  // namespace

int RunSmscSim(int argc, char** argv) {
  CLI::App app{"SMPP 3.4 SMSC simulator: accepts ESME binds, answers submit_sm, sends receipts."};
  ServerOptions options;
  std::string listen = "127.0.0.1:2775";
  std::string log_level = "info";
  app.add_option("--listen", listen, "host:port to listen on; port 0 picks a free one")
      ->capture_default_str();
  app.add_option("--system-id", options.system_id, "accept only this system_id (default: any)");
  app.add_option("--password", options.password, "accept only this password (default: any)");
  app.add_option("--receipt-delay-ms", options.receipt_delay_ms,
                 "delay from submit_sm_resp to the delivery receipt")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--response-delay-ms", options.response_delay_ms,
                 "delay before each submit_sm_resp")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--receipt-stat", options.receipt_stat,
                 "stat: of every receipt (DELIVRD, UNDELIV, EXPIRED, REJECTD, ...)")
      ->capture_default_str();
  app.add_option("--throttle-every", options.throttle_every,
                 "answer every Nth submit_sm with ESME_RTHROTTLED (0: never)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--reject-prefix", options.reject_prefix,
                 "answer submit_sm to destinations starting with this with ESME_RSUBMITFAIL");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  if (Status s = SplitHostPort(listen, options); !s.ok()) {
    std::fprintf(stderr, "smsgw-smsc-sim: %s\n", s.message().c_str());
    return 2;
  }
  log::Init("smsgw-smsc-sim", log_level);

  boost::asio::io_context io;
  Server server(io, options);
  if (Status s = server.Start(); !s.ok()) {
    spdlog::error("{}", s.ToString());
    return 1;
  }
  // Scripts wait for this line (or for the port) before they connect.
  std::printf("listening on %s:%u\n", options.listen_host.c_str(), server.port());
  std::fflush(stdout);

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("smsc-sim: signal {}, stopping", signal);
    server.Stop();  // once every connection is closed, io.run() runs out of work
  });
  io.run();
  const ServerCounters c = server.counters();
  spdlog::info("smsc-sim: {} binds, {} submits, {} receipts sent", c.binds, c.submits,
               c.receipts_sent);
  return 0;
}

}  // namespace smsgw::smsc_sim
