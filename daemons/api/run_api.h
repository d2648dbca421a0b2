#pragma once

namespace smsgw::api {

// The whole smsgw-api daemon: config -> Redis pool, ledger and report clients, HTTP server;
// READY=1 once listening; serves until SIGTERM/SIGINT. Returns the process exit code
// (0 after a clean stop, 1 when a dependency cannot be set up, 2 for a bad config).
int RunApi(int argc, char** argv);

}  // namespace smsgw::api
