#include "daemon/runtime.h"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <csignal>
#include <iostream>

#include "log/log.h"

namespace smsgw::daemon {
namespace {

sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

Startup Start(const std::string& program, int argc, char** argv) {
  Startup out;
  CLI::App app{program + " - part of the smsgw SMS gateway"};
  std::string config_flag;
  bool check_only = false;
  app.add_option("-c,--config", config_flag, "config file (default: $SMSGW_CONFIG or /etc/smsgw/smsgw.toml)");
  app.add_flag("--check-config", check_only, "check the config file and exit");
  app.set_version_flag("--version", "smsgw 0.1.0");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    out.exit_code = app.exit(e);
    return out;
  }
  const std::string path = config::ResolvePath(config_flag);
  Result<config::Config> config = config::LoadFile(path);
  if (!config.ok()) {
    std::cerr << program << ": " << config.status().message() << "\n";
    out.exit_code = 2;
    return out;
  }
  if (check_only) {
    std::cout << path << ": ok\n";
    out.exit_code = 0;
    return out;
  }
  out.config = std::move(config).value();
  log::Init(program, out.config.log.level);
  // Blocked before any thread starts, so every thread inherits the mask and the signals wait
  // for WaitForStop() instead of killing the process mid-write.
  sigset_t set = StopSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  spdlog::info("starting with config {}", path);
  return out;
}

void WaitForStop() {
  sigset_t set = StopSignals();
  int sig = 0;
  sigwait(&set, &sig);
  spdlog::info("received {}, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
}

void NotifyReady() { sd_notify(0, "READY=1"); }
void NotifyStopping() { sd_notify(0, "STOPPING=1"); }

}  // namespace smsgw::daemon
