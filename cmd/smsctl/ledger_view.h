#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "context.h"
#include "proto/smsgw.pb.h"
#include "rpc/clients.h"

// What the ledger's smsctl commands share: the connection and the way records look.
namespace smsgw::smsctl {

// Makes `action` the command to run when `cmd` is the subcommand given.
inline void OnRun(CLI::App* cmd, Action& run, Action action) {
  cmd->callback([&run, action = std::move(action)] { run = action; });
}

// A client of the smsgw-ledger named by the config's api.ledger_address.
Result<std::unique_ptr<rpc::LedgerClient>> ConnectLedger(const Context& ctx);

// Unix milliseconds as UTC ISO 8601 ("2026-11-30T20:11:00Z"); "" for 0.
std::string UtcTime(int64_t ms);

// One account: as JSON (field names as in the listing), as text for people, as a listing row.
nlohmann::json AccountJson(const v1::AccountRecord& a);
std::string AccountText(const v1::AccountRecord& a);
Listing AccountListing();  // the columns; rows by AccountRow
std::vector<nlohmann::json> AccountRow(const v1::AccountRecord& a);

}  // namespace smsgw::smsctl
