// smsctl account create
#include "context.h"
#include "rpc/clients.h"

namespace smsgw::smsctl {

void AddAccountCommands(CLI::App& app, Context& ctx, Action& run) {
  CLI::App* account = app.add_subcommand("account", "manage customer accounts");
  account->require_subcommand(1);

  struct CreateOptions {
    std::string name;
    int64_t price = 0;
    int64_t price_express = 0;
  };
  auto opts = std::make_shared<CreateOptions>();
  CLI::App* create = account->add_subcommand("create", "create an account and print its API key (shown once)");
  create->add_option("--name", opts->name, "account name, unique")->required();
  create->add_option("--price", opts->price, "price per segment, normal priority, in minor units")
      ->required()
      ->check(CLI::NonNegativeNumber);
  create->add_option("--price-express", opts->price_express,
                     "price per segment, express priority (default: the normal price)")
      ->check(CLI::NonNegativeNumber);
  create->callback([&ctx, &run, opts] {
    run = [&ctx, opts]() -> Status {
      Result<config::Config> config = ctx.LoadConfig();
      if (!config.ok()) return config.status();
      rpc::LedgerClient ledger(config->api.ledger_address);
      v1::CreateAccountRequest req;
      req.set_name(opts->name);
      req.set_price_normal(opts->price);
      req.set_price_express(opts->price_express);
      Result<v1::CreateAccountReply> reply = ledger.CreateAccount(req);
      if (!reply.ok()) return reply.status();
      ctx.Print({{"id", reply->account_id()}, {"name", opts->name}, {"api_key", reply->api_key()}},
                "account " + std::to_string(reply->account_id()) + " created\napi key: " + reply->api_key() +
                    "\n(the key is shown only this once; smsgw keeps only its hash)");
      return Status::Ok();
    };
  });
}

}  // namespace smsgw::smsctl
