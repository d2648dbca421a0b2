#pragma once

#include <string>
#include <vector>

#include "ledger/account_store.h"

namespace smsgw::ledger {

// An account's settings as the ledger's scripts take them (lua_scripts.h, kSettingsLib).
inline std::vector<std::string> SettingsArgs(const AccountStore::Settings& s) {
  return {s.status,
          s.name,
          std::to_string(s.price_normal),
          std::to_string(s.price_express),
          std::to_string(s.weight),
          std::to_string(s.rate_rps),
          std::to_string(s.rate_burst)};
}

}  // namespace smsgw::ledger
