// smsctl account create|list|show|disable|enable (the settings: account_settings_commands.cpp)
#include "account_commands.h"

#include "ledger_view.h"

namespace smsgw::smsctl {
namespace {

constexpr int kPage = 1000;

void AddCreate(CLI::App& account, Context& ctx, Action& run) {
  struct Options {
    std::string name;
    int64_t price = 0;
    int64_t price_express = 0;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* create = account.add_subcommand("create", "create an account and print its API key (shown once)");
  create->add_option("--name", opts->name, "account name, unique")->required();
  create->add_option("--price", opts->price, "price per segment, normal priority, in minor units")
      ->required()
      ->check(CLI::NonNegativeNumber);
  create
      ->add_option("--price-express", opts->price_express,
                   "price per segment, express priority (default: the normal price)")
      ->check(CLI::NonNegativeNumber);
  OnRun(create, run, [&ctx, opts]() -> Status {
    Result<std::unique_ptr<rpc::LedgerClient>> ledger = ConnectLedger(ctx);
    if (!ledger.ok()) return ledger.status();
    v1::CreateAccountRequest req;
    req.set_name(opts->name);
    req.set_price_normal(opts->price);
    req.set_price_express(opts->price_express);
    Result<v1::CreateAccountReply> reply = (*ledger)->CreateAccount(req);
    if (!reply.ok()) return reply.status();
    ctx.Print({{"id", reply->account_id()}, {"name", opts->name}, {"api_key", reply->api_key()}},
              "account " + std::to_string(reply->account_id()) + " created\napi key: " + reply->api_key() +
                  "\n(the key is shown only this once; smsgw keeps only its hash)");
    return Status::Ok();
  });
}

void AddList(CLI::App& account, Context& ctx, Action& run) {
  CLI::App* list = account.add_subcommand("list", "list every account with its settings and balance");
  OnRun(list, run, [&ctx]() -> Status {
    Result<std::unique_ptr<rpc::LedgerClient>> ledger = ConnectLedger(ctx);
    if (!ledger.ok()) return ledger.status();
    Listing listing = AccountListing();
    v1::ListAccountsRequest req;
    req.set_limit(kPage);
    do {
      Result<v1::ListAccountsReply> page = (*ledger)->ListAccounts(req);
      if (!page.ok()) return page.status();
      for (const v1::AccountRecord& a : page->accounts()) listing.rows.push_back(AccountRow(a));
      req.set_after_id(page->next_after_id());
    } while (req.after_id() != 0);
    ctx.Print(listing);
    return Status::Ok();
  });
}

void AddShow(CLI::App& account, Context& ctx, Action& run) {
  auto id = std::make_shared<int64_t>(0);
  CLI::App* show = account.add_subcommand("show", "show one account's settings and balance");
  show->add_option("account", *id, "account id")->required()->check(CLI::PositiveNumber);
  OnRun(show, run, [&ctx, id]() -> Status {
    Result<std::unique_ptr<rpc::LedgerClient>> ledger = ConnectLedger(ctx);
    if (!ledger.ok()) return ledger.status();
    Result<v1::AccountRecord> a = (*ledger)->GetAccount(*id);
    if (!a.ok()) return a.status();
    ctx.Print(AccountJson(*a), AccountText(*a));
    return Status::Ok();
  });
}

void AddSetStatus(CLI::App& account, Context& ctx, Action& run, bool active) {
  auto id = std::make_shared<int64_t>(0);
  CLI::App* cmd = account.add_subcommand(
      active ? "enable" : "disable",
      active ? "let the account send again" : "refuse the account's sends (403 account_disabled) until enabled");
  cmd->add_option("account", *id, "account id")->required()->check(CLI::PositiveNumber);
  OnRun(cmd, run, [&ctx, id, active]() -> Status {
    Result<std::unique_ptr<rpc::LedgerClient>> ledger = ConnectLedger(ctx);
    if (!ledger.ok()) return ledger.status();
    v1::SetStatusRequest req;
    req.set_account_id(*id);
    req.set_active(active);
    Result<v1::AccountRecord> a = (*ledger)->SetStatus(req);
    if (!a.ok()) return a.status();
    ctx.Print(AccountJson(*a), "account " + std::to_string(*id) + (active ? " enabled" : " disabled"));
    return Status::Ok();
  });
}

}  // namespace

void AddAccountCommands(CLI::App& app, Context& ctx, Action& run) {
  CLI::App* account = app.add_subcommand("account", "manage customer accounts");
  account->require_subcommand(1);
  AddCreate(*account, ctx, run);
  AddList(*account, ctx, run);
  AddShow(*account, ctx, run);
  AddSetStatus(*account, ctx, run, false);
  AddSetStatus(*account, ctx, run, true);
  AddAccountSettingsCommands(*account, ctx, run);
}

}  // namespace smsgw::smsctl
