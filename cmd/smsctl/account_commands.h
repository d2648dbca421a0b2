#pragma once

#include "context.h"

namespace smsgw::smsctl {

// smsctl account set-price|set-weight|set-rate-limit|webhook-secret, under `account`.
void AddAccountSettingsCommands(CLI::App& account, Context& ctx, Action& run);

}  // namespace smsgw::smsctl
