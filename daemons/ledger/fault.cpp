#include "ledger/fault.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <string>
#include <utility>

namespace smsgw::ledger {
namespace {

Fault Configured() {
  static const Fault kFault = [] {
    const char* v = std::getenv("SMSGW_LEDGER_FAULT");
    if (v == nullptr || *v == '\0') return Fault::kNone;
    const std::pair<const char*, Fault> kNames[] = {{"crash-flush-before-commit", Fault::kCrashFlushBeforeCommit},
                                                    {"crash-flush-after-commit", Fault::kCrashFlushAfterCommit},
                                                    {"crash-flush-after-unmark", Fault::kCrashFlushAfterUnmark},
                                                    {"fail-topup-apply", Fault::kFailTopUpApply}};
    for (const auto& [name, fault] : kNames) {
      if (std::string(v) == name) {
        spdlog::warn("SMSGW_LEDGER_FAULT={}: a test fault is on", name);
        return fault;
      }
    }
    spdlog::warn("SMSGW_LEDGER_FAULT={}: no such fault; ignored", v);
    return Fault::kNone;
  }();
  return kFault;
}

}  // namespace

bool FaultIs(Fault fault) { return fault != Fault::kNone && Configured() == fault; }

void CrashIf(Fault fault) {
  if (!FaultIs(fault)) return;
  spdlog::default_logger()->flush();
  raise(SIGKILL);
}

}  // namespace smsgw::ledger
