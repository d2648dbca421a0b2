#pragma once

#include <memory>
#include <string>

#include "config/config.h"

namespace smsgw::daemon {

struct Services;

// What every daemon does before its own work: parse --config / --check-config / --version,
// load and check the config file, set up logging, block SIGTERM,
// SIGINT and SIGHUP so that only WaitForStop() sees them, and start the daemon's metrics
// endpoint on its section's `metrics_listen` (empty: none) with the process metrics.
// `exit_code` >= 0 means: exit now with it (bad config, --help, --check-config done, the
// metrics address cannot be bound); the reason was already printed.
//
// The daemon keeps the Startup until it returns: it owns the metrics endpoint and the
// watchdog, which stop when it is destroyed. Declare things that register metrics callbacks
// after it, so they go first.
struct Startup {
  config::Config config;
  std::string config_path;
  int exit_code = -1;
  std::shared_ptr<Services> services;
};
Startup Start(const std::string& program, int argc, char** argv);

// Blocks until SIGTERM or SIGINT arrives. SIGHUP meanwhile re-reads the config file and applies
// what can change while running: [log] level; and standard error, when it is a file, is
// opened again by name (for logrotate).
// A config file that no longer loads is refused with an error line and the old one kept.
void WaitForStop();

// sd_notify(3): READY=1 once the daemon serves (and /healthz turns 200; the watchdog starts
// pinging if systemd asked for it), STOPPING=1 on the way out (/healthz turns 503). Only
// sends anything under systemd (NOTIFY_SOCKET set).
void NotifyReady();
void NotifyStopping();

}  // namespace smsgw::daemon
