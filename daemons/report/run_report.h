#pragma once

namespace smsgw::report {

// The whole smsgw-report daemon: reads the config (--config), connects to PostgreSQL and Redis,
// consumes ev:report into `messages` and serves the Report gRPC service until SIGTERM/SIGINT.
// Returns the process exit code: 0 after a clean stop, 1 when a dependency cannot be set up,
// 2 for a bad config.
int RunReport(int argc, char** argv);

}  // namespace smsgw::report
