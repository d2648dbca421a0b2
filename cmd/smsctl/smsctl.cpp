#include <iostream>

#include "common/version.h"

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
    case ErrorCode::kUnauthenticated:
    case ErrorCode::kPermissionDenied: return 77;  // EX_NOPERM
    case ErrorCode::kUnavailable: return 69;  // EX_UNAVAILABLE
    default: return 1;
  }
}

void BuildApp(CLI::App& app, Context& ctx, Action& run) {
  app.require_subcommand(1);
  // Global options may also come after the subcommand: `smsctl balance 1 --output json`.
  app.fallthrough();
  app.add_option("-c,--config", ctx.config_path, "config file (default: $SMSGW_CONFIG or /etc/smsgw/smsgw.toml)");
  // "text" is the old name of "table", kept so existing scripts keep working.
  std::map<std::string, Output> outputs{
      {"table", Output::kTable}, {"text", Output::kTable}, {"json", Output::kJson}, {"csv", Output::kCsv}};
  app.add_option("-o,--output", ctx.output, "output format: table, json or csv")
      ->transform(CLI::CheckedTransformer(outputs, CLI::ignore_case));
  app.set_version_flag("--version", std::string("smsgw ") + kVersion);

  AddAccountCommands(app, ctx, run);
  AddMoneyCommands(app, ctx, run);
  AddKeyCommands(app, ctx, run);
  AddLedgerCommands(app, ctx, run);
  AddDbCommands(app, ctx, run);
  AddReportCommands(app, ctx, run);
  AddDlqCommands(app, ctx, run);
  AddSendCommand(app, ctx, run);
  AddStreamsCommands(app, ctx, run);
  AddStatusCommand(app, ctx, run);
  AddTopCommand(app, ctx, run);
}

int SmsctlMain(int argc, char** argv) {
  CLI::App app{"smsctl - administer the smsgw SMS gateway"};
  Context ctx;
  Action run;
  BuildApp(app, ctx, run);
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
