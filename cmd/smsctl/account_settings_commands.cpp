// smsctl account set-price|set-weight|set-rate-limit|webhook-secret
#include "account_commands.h"
#include "ledger_view.h"

namespace smsgw::smsctl {
namespace {

// Prints the account as a settings change left it, or returns the change's error.
Status PrintChanged(const Context& ctx, const Result<v1::AccountRecord>& a, const std::string& done) {
  if (!a.ok()) return a.status();
  ctx.Print(AccountJson(*a), done);
  return Status::Ok();
}

void AddSetPrice(CLI::App& account, Context& ctx, Action& run) {
  struct Options {
    int64_t id = 0;
    std::optional<int64_t> price;
    std::optional<int64_t> price_express;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = account.add_subcommand("set-price", "change the price per segment (normal, express or both)");
  cmd->add_option("account", opts->id, "account id")->required()->check(CLI::PositiveNumber);
  CLI::Option* normal =
      cmd->add_option("--price", opts->price, "price per segment, normal priority")->check(CLI::NonNegativeNumber);
  CLI::Option* express = cmd->add_option("--price-express", opts->price_express, "price per segment, express priority")
                             ->check(CLI::NonNegativeNumber);
  cmd->callback([&ctx, &run, opts, normal, express] {
    if (normal->count() == 0 && express->count() == 0) throw CLI::RequiredError("--price or --price-express");
    run = [&ctx, opts]() -> Status {
      Result<std::unique_ptr<rpc::LedgerClient>> ledger = ConnectLedger(ctx);
      if (!ledger.ok()) return ledger.status();
      v1::SetPricesRequest req;
      req.set_account_id(opts->id);
      if (opts->price) req.set_price_normal(*opts->price);
      if (opts->price_express) req.set_price_express(*opts->price_express);
      Result<v1::AccountRecord> a = (*ledger)->SetPrices(req);
      return PrintChanged(ctx, a,
                          a.ok()
                              ? "account " + std::to_string(opts->id) + ": price " + std::to_string(a->price_normal()) +
                                    " normal, " + std::to_string(a->price_express()) + " express"
                              : "");
    };
  });
}

void AddSetWeight(CLI::App& account, Context& ctx, Action& run) {
  struct Options {
    int64_t id = 0;
    int weight = 1;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = account.add_subcommand("set-weight", "set the account's share of the scheduler's normal traffic");
  cmd->add_option("account", opts->id, "account id")->required()->check(CLI::PositiveNumber);
  cmd->add_option("weight", opts->weight, "1..1000 (1 is the default share)")->required()->check(CLI::Range(1, 1000));
  OnRun(cmd, run, [&ctx, opts]() -> Status {
    Result<std::unique_ptr<rpc::LedgerClient>> ledger = ConnectLedger(ctx);
    if (!ledger.ok()) return ledger.status();
    v1::SetWeightRequest req;
    req.set_account_id(opts->id);
    req.set_weight(opts->weight);
    return PrintChanged(ctx, (*ledger)->SetWeight(req),
                        "account " + std::to_string(opts->id) + ": weight " + std::to_string(opts->weight));
  });
}

void AddSetRateLimit(CLI::App& account, Context& ctx, Action& run) {
  struct Options {
    int64_t id = 0;
    int rps = 0;
    int burst = 0;
    bool use_default = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = account.add_subcommand("set-rate-limit", "set the account's API rate limit, or --default");
  cmd->add_option("account", opts->id, "account id")->required()->check(CLI::PositiveNumber);
  CLI::Option* rps = cmd->add_option("--rps", opts->rps, "requests a second")->check(CLI::PositiveNumber);
  CLI::Option* burst =
      cmd->add_option("--burst", opts->burst, "requests above the rate at once")->check(CLI::PositiveNumber);
  CLI::Option* def = cmd->add_flag("--default", opts->use_default, "use the API's configured rate again");
  rps->excludes(def);
  burst->excludes(def);
  rps->needs(burst);
  burst->needs(rps);
  cmd->callback([&ctx, &run, opts, def, rps] {
    if (def->count() == 0 && rps->count() == 0) throw CLI::RequiredError("--rps and --burst, or --default,");
    run = [&ctx, opts]() -> Status {
      Result<std::unique_ptr<rpc::LedgerClient>> ledger = ConnectLedger(ctx);
      if (!ledger.ok()) return ledger.status();
      v1::SetRateLimitRequest req;
      req.set_account_id(opts->id);
      req.set_rps(opts->use_default ? 0 : opts->rps);
      req.set_burst(opts->use_default ? 0 : opts->burst);
      return PrintChanged(
          ctx, (*ledger)->SetRateLimit(req),
          "account " + std::to_string(opts->id) + ": rate limit " +
              (opts->use_default ? std::string("the API's default")
                                 : std::to_string(opts->rps) + "/s, burst " + std::to_string(opts->burst)));
    };
  });
}

void AddWebhookSecret(CLI::App& account, Context& ctx, Action& run) {
  struct Options {
    int64_t id = 0;
    bool rotate = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = account.add_subcommand("webhook-secret", "print the key that signs the account's status webhooks");
  cmd->add_option("account", opts->id, "account id")->required()->check(CLI::PositiveNumber);
  cmd->add_flag("--rotate", opts->rotate, "make a new secret first (the old one stops signing at once)");
  OnRun(cmd, run, [&ctx, opts]() -> Status {
    Result<std::unique_ptr<rpc::LedgerClient>> ledger = ConnectLedger(ctx);
    if (!ledger.ok()) return ledger.status();
    v1::WebhookSecretRequest req;
    req.set_account_id(opts->id);
    req.set_rotate(opts->rotate);
    Result<v1::WebhookSecretReply> reply = (*ledger)->WebhookSecret(req);
    if (!reply.ok()) return reply.status();
    ctx.Print({{"account_id", opts->id}, {"webhook_secret", reply->secret()}}, reply->secret());
    return Status::Ok();
  });
}

}  // namespace

void AddAccountSettingsCommands(CLI::App& account, Context& ctx, Action& run) {
  AddSetPrice(account, ctx, run);
  AddSetWeight(account, ctx, run);
  AddSetRateLimit(account, ctx, run);
  AddWebhookSecret(account, ctx, run);
}

}  // namespace smsgw::smsctl
