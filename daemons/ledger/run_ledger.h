#pragma once

namespace smsgw::ledger {

// The whole smsgw-ledger process: config, warm-up, gRPC server, flusher and sweeper threads.
int RunLedger(int argc, char** argv);

}  // namespace smsgw::ledger
