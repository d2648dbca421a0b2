#pragma once

#include <atomic>
#include <string>

#include "config/config.h"

namespace smsgw::daemon {

// What every daemon does before its own work: parse --config / --check-config / --version,
// load and check the config file, set up logging, and block SIGTERM/SIGINT so that only
// WaitForStop() sees them. `exit_code` >= 0 means: exit now with it (bad config, --help,
// --check-config done); the reason was already printed.
struct Startup {
  config::Config config;
  int exit_code = -1;
};
Startup Start(const std::string& program, int argc, char** argv);

// Blocks until SIGTERM or SIGINT arrives.
void WaitForStop();

// sd_notify(3): READY=1 once serving, STOPPING=1 on the way out. No-ops outside systemd.
void NotifyReady();
void NotifyStopping();

}  // namespace smsgw::daemon
