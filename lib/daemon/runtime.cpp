#include "daemon/runtime.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>

#include "common/version.h"
#include "daemon/heartbeat.h"
#include "daemon/watchdog.h"
#include "log/log.h"
#include "metrics/process_metrics.h"
#include "metrics/server.h"

namespace smsgw::daemon {

// How long a loop may go without a heartbeat before /healthz calls it stuck, when systemd
// asked for no watchdog (with one, half its interval).
constexpr std::chrono::seconds kStuckAfterDefault{30};

enum class Phase { kStarting, kReady, kStopping };

struct Services {
  std::string program;
  std::string config_path;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::atomic<Phase> phase{Phase::kStarting};
  std::unique_ptr<metrics::ProcessMetrics> process_metrics;
  std::unique_ptr<metrics::Server> metrics_server;
  std::unique_ptr<Watchdog> watchdog;  // last member: stopped first

  metrics::Health Health() const {
    const auto stuck_after = Watchdog::Requested().count() > 0
                                 ? std::chrono::duration_cast<std::chrono::milliseconds>(Watchdog::Requested() / 2)
                                 : std::chrono::milliseconds(kStuckAfterDefault);
    const std::vector<std::string> stuck = StuckLoops(stuck_after);
    const Phase p = phase.load();
    const char* status = p == Phase::kStarting ? "starting" : p == Phase::kStopping ? "stopping" : "ok";
    if (p == Phase::kReady && !stuck.empty()) status = "stuck";
    nlohmann::json body = {
        {"status", status},
        {"program", program},
        {"version", kVersion},
        {"uptime_s",
         std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count()}};
    if (!stuck.empty()) body["stuck"] = stuck;
    return {std::string(status) == "ok", body.dump()};
  }
};

namespace {

// The one Services of this process, for NotifyReady and friends; set by Start.
std::weak_ptr<Services>& Current() {
  static std::weak_ptr<Services> current;
  return current;
}

sigset_t HandledSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

// Each daemon's own section names its metrics address.
std::string MetricsListen(const std::string& program, const config::Config& c) {
  if (program == "smsgw-api") return c.api.metrics_listen;
  if (program == "smsgw-ledger") return c.ledger.metrics_listen;
  if (program == "smsgw-sched") return c.sched.metrics_listen;
  if (program == "smsgw-report") return c.report.metrics_listen;
  return "";
}

void Reload(const Services& services) {
  sd_notify(0, "RELOADING=1");
  // The file first, so what follows goes to the new one; then the level, so the line below is
  // written only if the new level lets it through.
  if (Status s = log::ReopenStderr(); !s.ok()) spdlog::error("SIGHUP: {}", s.message());
  Result<config::Config> config = config::LoadFile(services.config_path);
  if (!config.ok()) {
    spdlog::error("SIGHUP: {}; keeping the configuration loaded before", config.status().message());
  } else {
    log::SetLevel(config->log.level);
    spdlog::info("SIGHUP: configuration re-read from {}; log level {}; other changes take effect at restart",
                 services.config_path, config->log.level);
  }
  sd_notify(0, "READY=1");
}

}  // namespace

Startup Start(const std::string& program, int argc, char** argv) {
  Startup out;
  CLI::App app{program + " - part of the smsgw SMS gateway"};
  std::string config_flag;
  bool check_only = false;
  app.add_option("-c,--config", config_flag, "config file (default: $SMSGW_CONFIG or /etc/smsgw/smsgw.toml)");
  app.add_flag("--check-config", check_only, "check the config file and exit");
  app.set_version_flag("--version", std::string("smsgw ") + kVersion);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    out.exit_code = app.exit(e);
    return out;
  }
  out.config_path = config::ResolvePath(config_flag);
  Result<config::Config> config = config::LoadFile(out.config_path);
  if (!config.ok()) {
    std::cerr << program << ": " << config.status().message() << "\n";
    out.exit_code = 2;
    return out;
  }
  if (check_only) {
    std::cout << out.config_path << ": ok\n";
    out.exit_code = 0;
    return out;
  }
  out.config = std::move(config).value();
  log::Init(program, out.config.log.level);
  // Blocked before any thread starts, so every thread inherits the mask and the signals wait
  // for WaitForStop() instead of killing the process mid-write.
  sigset_t set = HandledSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  spdlog::info("smsgw {} starting with config {}", kVersion, out.config_path);

  auto services = std::make_shared<Services>();
  services->program = program;
  services->config_path = out.config_path;
  services->process_metrics = std::make_unique<metrics::ProcessMetrics>(program);
  if (const std::string listen = MetricsListen(program, out.config); !listen.empty()) {
    Services* s = services.get();
    services->metrics_server = std::make_unique<metrics::Server>(metrics::Default(), [s] { return s->Health(); });
    if (Status st = services->metrics_server->Start(listen); !st.ok()) {
      spdlog::critical("{}", st.message());
      out.exit_code = 1;
      return out;
    }
    spdlog::info("metrics on http://{}/metrics", listen);
  }
  Current() = services;
  out.services = std::move(services);
  return out;
}

void WaitForStop() {
  sigset_t set = HandledSignals();
  while (true) {
    int sig = 0;
    sigwait(&set, &sig);
    if (sig != SIGHUP) {
      spdlog::info("received {}, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
      return;
    }
    if (std::shared_ptr<Services> s = Current().lock()) Reload(*s);
  }
}

void NotifyReady() {
  std::shared_ptr<Services> s = Current().lock();
  if (s) {
    s->phase = Phase::kReady;
    if (const auto interval = Watchdog::Requested(); interval.count() > 0 && !s->watchdog) {
      s->watchdog = std::make_unique<Watchdog>(interval);
    }
  }
  sd_notify(0, "READY=1");
}

void NotifyStopping() {
  if (std::shared_ptr<Services> s = Current().lock()) s->phase = Phase::kStopping;
  sd_notify(0, "STOPPING=1");
}

}  // namespace smsgw::daemon
