// smsctl key create|list|revoke
#include "ledger_view.h"

namespace smsgw::smsctl {

void AddKeyCommands(CLI::App& app, Context& ctx, Action& run) {
  CLI::App* key = app.add_subcommand("key", "manage API keys");
  key->require_subcommand(1);

  auto create_account = std::make_shared<int64_t>(0);
  CLI::App* create = key->add_subcommand("create", "add an API key to an account and print it (shown once)");
  create->add_option("account", *create_account, "account id")->required()->check(CLI::PositiveNumber);
  OnRun(create, run, [&ctx, create_account]() -> Status {
    Result<std::unique_ptr<rpc::LedgerClient>> ledger = ConnectLedger(ctx);
    if (!ledger.ok()) return ledger.status();
    Result<v1::CreateKeyReply> reply = (*ledger)->CreateKey(*create_account);
    if (!reply.ok()) return reply.status();
    ctx.Print({{"account_id", *create_account}, {"key_id", reply->key_id()}, {"api_key", reply->api_key()}},
              "api key: " + reply->api_key() + "\n(the key is shown only this once; smsgw keeps only its hash)");
    return Status::Ok();
  });

  auto list_account = std::make_shared<int64_t>(0);
  CLI::App* list = key->add_subcommand("list", "list an account's API keys (ids only: the keys are not kept)");
  list->add_option("account", *list_account, "account id")->required()->check(CLI::PositiveNumber);
  OnRun(list, run, [&ctx, list_account]() -> Status {
    Result<std::unique_ptr<rpc::LedgerClient>> ledger = ConnectLedger(ctx);
    if (!ledger.ok()) return ledger.status();
    Result<v1::ListKeysReply> reply = (*ledger)->ListKeys(*list_account);
    if (!reply.ok()) return reply.status();
    Listing listing{{"key_id", "status", "created", "revoked"}, {}};
    for (const v1::ApiKeyInfo& k : reply->keys()) {
      listing.rows.push_back({k.key_id(), k.revoked_at_ms() == 0 ? "active" : "revoked", UtcTime(k.created_at_ms()),
                              k.revoked_at_ms() == 0 ? nlohmann::json() : nlohmann::json(UtcTime(k.revoked_at_ms()))});
    }
    ctx.Print(listing);
    return Status::Ok();
  });

  auto revoke_id = std::make_shared<std::string>();
  CLI::App* revoke = key->add_subcommand("revoke", "revoke an API key: it is refused (401) from then on");
  revoke->add_option("key_id", *revoke_id, "the key id (the part of the key before the '.')")->required();
  OnRun(revoke, run, [&ctx, revoke_id]() -> Status {
    Result<std::unique_ptr<rpc::LedgerClient>> ledger = ConnectLedger(ctx);
    if (!ledger.ok()) return ledger.status();
    Result<v1::RevokeKeyReply> reply = (*ledger)->RevokeKey(*revoke_id);
    if (!reply.ok()) return reply.status();
    ctx.Print({{"key_id", *revoke_id},
               {"account_id", reply->key().account_id()},
               {"revoked", UtcTime(reply->key().revoked_at_ms())},
               {"already_revoked", reply->already_revoked()}},
              "key " + *revoke_id + (reply->already_revoked() ? " was already revoked (" : " revoked (") +
                  UtcTime(reply->key().revoked_at_ms()) + ")");
    return Status::Ok();
  });
}

}  // namespace smsgw::smsctl
