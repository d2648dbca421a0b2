#include "ledger/dirty_accounts.h"

#include <spdlog/spdlog.h>

#include "keys/keys.h"

namespace smsgw::ledger {

DirtyAccounts::DirtyAccounts(redis::Pool& redis, metrics::Registry& registry)
    : redis_(redis),
      dirty_(registry
                 .AddGauge("smsgw_ledger_dirty_accounts",
                           "Accounts whose money changed in Redis and not yet in PostgreSQL (read every second).")
                 .Get()),
      poller_("dirty accounts", kEvery, [this] {
        if (Status s = Poll(); !s.ok())
          spdlog::warn("ledger: reading the dirty accounts for metrics: {}", s.ToString());
      }) {}

DirtyAccounts::~DirtyAccounts() { poller_.Stop(); }

Status DirtyAccounts::Poll() {
  auto conn = redis_.Acquire();
  Result<redis::Reply> n = conn->Run({"SCARD", keys::kDirtyAccounts});
  if (!n.ok()) return n.status();
  Result<int64_t> count = n->AsInt();
  if (!count.ok()) return Status::Internal("SCARD " + std::string(keys::kDirtyAccounts) + ": not an integer");
  dirty_.Set(static_cast<double>(*count));
  return Status::Ok();
}

}  // namespace smsgw::ledger
