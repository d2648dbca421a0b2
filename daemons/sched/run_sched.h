#pragma once

namespace smsgw::sched {

// The whole smsgw-sched process: config, SMPP links, the scheduler loop.
int RunSched(int argc, char** argv);

}  // namespace smsgw::sched
