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

// "DELIVRD=90,UNDELIV=10" -> options.receipt_mix.
Status ParseMix(const std::string& mix, ServerOptions& options) {
  size_t start = 0;
  while (start < mix.size()) {
    size_t end = mix.find(',', start);
    if (end == std::string::npos) end = mix.size();
    const std::string item = mix.substr(start, end - start);
    const size_t eq = item.find('=');
    const std::string weight = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (eq == 0 || eq == std::string::npos || weight.empty() || weight.size() > 6 ||
        weight.find_first_not_of("0123456789") != std::string::npos) {
      return Status::InvalidArgument("--receipt-mix: '" + item + "' is not STAT=WEIGHT");
    }
    options.receipt_mix.emplace_back(item.substr(0, eq), std::stoi(weight));
    start = end + 1;
  }
  return Status::Ok();
}

}  // namespace

int RunSmscSim(int argc, char** argv) {
  CLI::App app{"SMPP 3.4 SMSC simulator: accepts ESME binds, answers submit_sm, sends receipts."};
  // A flag given twice takes its last value, so scripts can override their defaults.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
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
  std::string mix;
  app.add_option("--receipt-mix", mix, "outcome mix of receipts, e.g. DELIVRD=90,UNDELIV=5,EXPIRED=3,REJECTD=2");
  app.add_option("--max-tps", options.max_tps, "answer submit_sm beyond this many a second with ESME_RTHROTTLED (0: no limit)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--transient-rate", options.transient_rate, "share of submit_sm answered ESME_RSYSERR (0..1)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--permanent-rate", options.permanent_rate, "share of submit_sm answered ESME_RSUBMITFAIL (0..1)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--seed", options.seed, "seed for the rates and the receipt mix")->capture_default_str();
  app.add_option("--id-format", options.id_format, "message ids in submit_sm_resp: hex, HEX or dec")
      ->capture_default_str()
      ->check(CLI::IsMember({"hex", "HEX", "dec"}));
  app.add_option("--receipt-id-format", options.receipt_id_format,
                 "how receipt texts write the id: same, hex, HEX, dec or dec10 (zero-padded to 10 digits)")
      ->capture_default_str()
      ->check(CLI::IsMember({"same", "hex", "HEX", "dec", "dec10"}));
  bool no_receipt_tlvs = false;
  app.add_flag("--no-receipt-tlvs", no_receipt_tlvs, "leave receipted_message_id and message_state out of receipts");
  app.add_option("--slow-every", options.slow_every, "answer every Nth submit_sm only after --slow-ms")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--slow-ms", options.slow_ms, "delay of the slow answers")->capture_default_str()->check(CLI::NonNegativeNumber);
  app.add_option("--fail-part", options.fail_part,
                 "part N (1-based) of each concatenated message gets ESME_RSYSERR the first time it comes")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--mo-every", options.mo_every, "after every Nth accepted submit_sm, send an MO message back (0: never)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--max-write-queue", options.max_write_queue, "PDUs queued for an ESME that does not read before it is dropped")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  bool quiet = false;
  app.add_option("--submit-log", options.submit_log,
                 "append a line per submit_sm received to this file: verdict, destination, id, text");
  app.add_flag("--quiet", quiet, "no per-second count on stdout");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  options.receipt_tlvs = !no_receipt_tlvs;
  options.print_rate = !quiet;
  if (Status s = ParseMix(mix, options); !s.ok()) {
    std::fprintf(stderr, "smsgw-smsc-sim: %s\n", s.message().c_str());
    return 2;
  }
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
  spdlog::info("smsc-sim: {} receipts acked, {} resent, {} refused; {} throttled; {} concatenated messages "
               "reassembled, {} duplicate parts, {} reassembly errors",
               c.receipts_acked, c.receipts_resent, c.receipts_refused, c.throttled, c.reassembled, c.duplicate_parts,
               c.reassembly_errors);
  return 0;
}

}  // namespace smsgw::smsc_sim
