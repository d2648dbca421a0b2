#include <iostream>

#include "context.h"

namespace smsgw::smsctl {

Result<config::Config> Context::LoadConfig() const { return config::LoadFile(config::ResolvePath(config_path)); }

void Context::Print(const Listing& listing) const { PrintListing(std::cout, listing, output); }

void Context::Print(const nlohmann::json& json, const std::string& text) const {
  if (output == Output::kJson) {
    std::cout << json.dump() << "\n";
  } else if (output == Output::kCsv && json.is_object()) {
    Listing one;
    one.rows.emplace_back();
    for (const auto& [key, value] : json.items()) {
      one.columns.push_back(key);
      one.rows.back().push_back(value);
    }
    PrintListing(std::cout, one, output);
  } else {
    std::cout << text << (text.empty() || text.back() == '\n' ? "" : "\n");
  }
}

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kOk: return 0;
    case ErrorCode::kInvalidArgument: return 2;
    case ErrorCode::kNotFound: return 3;
    case ErrorCode::kConflict: return 4;
    case ErrorCode::kInsufficientFunds: return 5;
    case ErrorCode::kUnavailable: return 69;  // EX_UNAVAILABLE
    default: return 1;
  }
}

int SmsctlMain(int argc, char** argv) {
  CLI::App app{"smsctl - administer the smsgw SMS gateway"};
  app.require_subcommand(1);
  // Global options may also come after the subcommand: `smsctl balance 1 --output json`.
  app.fallthrough();
  Context ctx;
  app.add_option("-c,--config", ctx.config_path, "config file (default: $SMSGW_CONFIG or /etc/smsgw/smsgw.toml)");
  // "text" is the old name of "table", kept so existing scripts keep working.
  std::map<std::string, Output> outputs{
      {"table", Output::kTable}, {"text", Output::kTable}, {"json", Output::kJson}, {"csv", Output::kCsv}};
  app.add_option("-o,--output", ctx.output, "output format: table, json or csv")
      ->transform(CLI::CheckedTransformer(outputs, CLI::ignore_case));
  app.set_version_flag("--version", "smsgw 0.1.0");

  Action run;
  AddAccountCommands(app, ctx, run);
  AddMoneyCommands(app, ctx, run);
  AddKeyCommands(app, ctx, run);
  AddLedgerCommands(app, ctx, run);
  AddMigrateCommand(app, ctx, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are 0; every usage error is 2, as smsctl(1) documents.
    return app.exit(e) == 0 ? 0 : ExitCodeFor(Status::InvalidArgument(""));
  }
  Status s = run ? run() : Status::InvalidArgument("no command given");
  if (!s.ok()) {
    std::cerr << "smsctl: " << s.message() << "\n";
    return ExitCodeFor(s);
  }
  return 0;
}

}  // namespace smsgw::smsctl
