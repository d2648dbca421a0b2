#pragma once

#include <string>
#include <vector>

#include "ledger/account_store.h"
#include "ledger/money_store.h"

namespace smsgw::ledger {

// An account's settings as the ledger's scripts take them (lua_accounts.h, kSettingsLib).
inline std::vector<std::string> SettingsArgs(const AccountStore::Settings& s) {
  return {s.status,
          s.name,
          std::to_string(s.price_normal),
          std::to_string(s.price_express),
          std::to_string(s.weight),
          std::to_string(s.rate_rps),
          std::to_string(s.rate_burst)};
}

// An account as lua::kSyncAccount takes it: the settings, then PostgreSQL's money.
inline std::vector<std::string> SyncArgs(const MoneyStore::Durable& a) {
  std::vector<std::string> args = SettingsArgs(a.settings);
  for (int64_t v : {a.balance, a.counters.held, a.counters.charged, a.counters.refunded, a.counters.released,
                    a.counters.expired, a.topped_up, a.topup_seq, a.flush_seq}) {
    args.push_back(std::to_string(v));
  }
  return args;
}

}  // namespace smsgw::ledger
