// smsctl topup, smsctl balance
#include "context.h"
#include "rpc/clients.h"

namespace smsgw::smsctl {

void AddMoneyCommands(CLI::App& app, Context& ctx, Action& run) {
  struct TopUpOptions {
    int64_t account = 0;
    int64_t amount = 0;
    std::string reference;
  };
  auto topup_opts = std::make_shared<TopUpOptions>();
  CLI::App* topup = app.add_subcommand("topup", "add money to an account (idempotent on --ref)");
  topup->add_option("account", topup_opts->account, "account id")->required()->check(CLI::PositiveNumber);
  topup->add_option("amount", topup_opts->amount, "amount in minor units")->required()->check(CLI::PositiveNumber);
  topup->add_option("--ref", topup_opts->reference, "unique reference (e.g. the payment id); a repeat adds nothing")
      ->required();
  topup->callback([&ctx, &run, topup_opts] {
    run = [&ctx, topup_opts]() -> Status {
      Result<config::Config> config = ctx.LoadConfig();
      if (!config.ok()) return config.status();
      rpc::LedgerClient ledger(config->api.ledger_address);
      v1::TopUpRequest req;
      req.set_account_id(topup_opts->account);
      req.set_amount(topup_opts->amount);
      req.set_reference(topup_opts->reference);
      Result<v1::TopUpReply> reply = ledger.TopUp(req);
      if (!reply.ok()) return reply.status();
      ctx.Print({{"account_id", topup_opts->account},
                 {"balance", reply->balance()},
                 {"duplicate", reply->duplicate()}},
                reply->duplicate() ? "reference '" + topup_opts->reference + "' was already applied; balance " +
                                         std::to_string(reply->balance())
                                   : "balance " + std::to_string(reply->balance()));
      return Status::Ok();
    };
  });

  auto balance_account = std::make_shared<int64_t>(0);
  CLI::App* balance = app.add_subcommand("balance", "show an account's balance");
  balance->add_option("account", *balance_account, "account id")->required()->check(CLI::PositiveNumber);
  balance->callback([&ctx, &run, balance_account] {
    run = [&ctx, balance_account]() -> Status {
      Result<config::Config> config = ctx.LoadConfig();
      if (!config.ok()) return config.status();
      rpc::LedgerClient ledger(config->api.ledger_address);
      Result<v1::BalanceReply> reply = ledger.GetBalance(*balance_account);
      if (!reply.ok()) return reply.status();
      if (reply->result() == v1::LEDGER_ACCOUNT_UNKNOWN) {
        return Status::NotFound("account " + std::to_string(*balance_account) + " does not exist");
      }
      ctx.Print({{"account_id", *balance_account},
                 {"name", reply->name()},
                 {"balance", reply->balance()},
                 {"held", reply->held()},
                 {"active", reply->active()}},
                "account " + std::to_string(*balance_account) + " (" + reply->name() + "): balance " +
                    std::to_string(reply->balance()) + ", held " + std::to_string(reply->held()));
      return Status::Ok();
    };
  });
}

}  // namespace smsgw::smsctl
