#pragma once

namespace smsgw::ledger {

// Test-only faults, picked by the environment variable SMSGW_LEDGER_FAULT (unset in
// production, where every check below is one comparison). The integration tests use them to
// stop the ledger between two steps of a flush as a kill -9 would, and to make a step fail.
enum class Fault {
  kNone,
  kCrashFlushBeforeCommit,  // "crash-flush-before-commit": counters read, PostgreSQL not written
  kCrashFlushAfterCommit,   // "crash-flush-after-commit": PostgreSQL written, marks not cleared
  kCrashFlushAfterUnmark,   // "crash-flush-after-unmark": marks cleared, moved accounts not put back
  kFailTopUpApply,          // "fail-topup-apply": the Redis step of every TopUp call fails
};

// True if SMSGW_LEDGER_FAULT names `fault`.
bool FaultIs(Fault fault);
// Kills the process with SIGKILL, as kill -9 would, if SMSGW_LEDGER_FAULT names `fault`.
void CrashIf(Fault fault);

}  // namespace smsgw::ledger
