#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <string>

#include "common/status.h"
#include "config/config.h"
#include "output.h"

namespace smsgw::smsctl {

// What every subcommand gets: the global options and the way to print.
struct Context {
  std::string config_path;  // --config; resolved like the daemons do
  Output output = Output::kTable;

  // Loads the config file (errors name the file and key).
  Result<config::Config> LoadConfig() const;
  // One record: `json` as one line (--output json), else `text`.
  void Print(const nlohmann::json& json, const std::string& text) const;
  // A listing in the chosen --output (table, json or csv) on stdout.
  void Print(const Listing& listing) const;
};

// A subcommand's action: returns the process exit code. Errors are returned as Status and
// turned into "smsctl: <message>" on stderr by the caller, with ExitCodeFor(status).
using Action = std::function<Status()>;

int ExitCodeFor(const Status& status);

// Each group adds its subcommands to `app`; `run` receives the chosen action.
void AddAccountCommands(CLI::App& app, Context& ctx, Action& run);
void AddMoneyCommands(CLI::App& app, Context& ctx, Action& run);
void AddKeyCommands(CLI::App& app, Context& ctx, Action& run);
void AddLedgerCommands(CLI::App& app, Context& ctx, Action& run);
void AddReportCommands(CLI::App& app, Context& ctx, Action& run);
void AddDlqCommands(CLI::App& app, Context& ctx, Action& run);
void AddDbCommands(CLI::App& app, Context& ctx, Action& run);
void AddSendCommand(CLI::App& app, Context& ctx, Action& run);
void AddStreamsCommands(CLI::App& app, Context& ctx, Action& run);
void AddStatusCommand(CLI::App& app, Context& ctx, Action& run);
void AddTopCommand(CLI::App& app, Context& ctx, Action& run);

// The whole command tree with its global options; `run` receives the chosen action when
// `app` parses. The man-page and completion tests walk the same tree.
void BuildApp(CLI::App& app, Context& ctx, Action& run);

int SmsctlMain(int argc, char** argv);

}  // namespace smsgw::smsctl
