#include "ledger/admin.h"

#include <spdlog/spdlog.h>

#include "auth/api_key.h"
#include "keys/keys.h"
#include "ledger/lua_scripts.h"
#include "ledger/paging.h"
#include "ledger/settings_args.h"

namespace smsgw::ledger {
namespace {

constexpr int kMaxWeight = 1000;  // accounts.weight's CHECK (migration 0003)
constexpr int kDefaultPage = 100;
constexpr int kMaxPage = 1000;

Status CheckAccountId(int64_t id) {
  if (id <= 0) return Status::InvalidArgument("account_id must be positive");
  return Status::Ok();
}

Status CheckPrice(int64_t price, const char* name) {
  if (price < 0) return Status::InvalidArgument(std::string(name) + " must not be negative");
  return Status::Ok();
}

v1::ApiKeyInfo KeyInfo(const AccountStore::Key& k) {
  v1::ApiKeyInfo info;
  info.set_key_id(k.key_id);
  info.set_account_id(k.account_id);
  info.set_created_at_ms(k.created_at_ms);
  info.set_revoked_at_ms(k.revoked_at_ms);
  return info;
}

int64_t IntOr0(const redis::Reply& r) {
  Result<int64_t> v = r.AsInt();
  return v.ok() ? *v : 0;
}

}  // namespace

Result<v1::CreateAccountReply> Admin::CreateAccount(const v1::CreateAccountRequest& req) {
  if (req.name().empty() || req.name().size() > 100) return Status::InvalidArgument("name must be 1..100 characters");
  if (Status s = CheckPrice(req.price_normal(), "price_normal"); !s.ok()) return s;
  if (Status s = CheckPrice(req.price_express(), "price_express"); !s.ok()) return s;
  const int64_t express = req.price_express() > 0 ? req.price_express() : req.price_normal();
  const auth::NewKey key = auth::GenerateApiKey();
  Result<AccountStore::Settings> created =
      accounts_.CreateAccount(req.name(), req.price_normal(), express, key.hash, key.key_id);
  if (!created.ok()) return created.status();

  MoneyStore::Durable fresh;  // no money yet
  fresh.settings = *created;
  auto conn = redis_.Acquire();
  Result<redis::Reply> loaded =
      conn->Eval(lua::kSyncAccountScript, {keys::Account(created->id), keys::TopUps(created->id)}, SyncArgs(fresh));
  if (!loaded.ok()) return loaded.status();
  if (Result<redis::Reply> r = conn->Run({"SET", keys::ApiKey(key.hash), std::to_string(created->id)}); !r.ok()) {
    return r.status();
  }
  spdlog::info("account {} '{}' created", created->id, created->name);
  v1::CreateAccountReply reply;
  reply.set_account_id(created->id);
  reply.set_api_key(key.key);
  return reply;
}

Result<v1::AccountRecord> Admin::GetAccount(int64_t account_id) {
  if (Status s = CheckAccountId(account_id); !s.ok()) return s;
  Result<AccountStore::Settings> settings = accounts_.GetAccount(account_id);
  if (!settings.ok()) return settings.status();
  Result<std::vector<v1::AccountRecord>> records = Records({*settings});
  if (!records.ok()) return records.status();
  return std::move(records->front());
}

Result<v1::ListAccountsReply> Admin::ListAccounts(const v1::ListAccountsRequest& req) {
  if (req.after_id() < 0) return Status::InvalidArgument("after_id must not be negative");
  Result<int> limit = PageSize(req.limit(), kDefaultPage, kMaxPage);
  if (!limit.ok()) return limit.status();
  Result<std::vector<AccountStore::Settings>> page = accounts_.ListAccounts(req.after_id(), *limit);
  if (!page.ok()) return page.status();
  Result<std::vector<v1::AccountRecord>> records = Records(*page);
  if (!records.ok()) return records.status();
  v1::ListAccountsReply reply;
  for (v1::AccountRecord& r : *records) *reply.add_accounts() = std::move(r);
  if (static_cast<int>(page->size()) == *limit) reply.set_next_after_id(page->back().id);
  return reply;
}

Result<v1::AccountRecord> Admin::SetStatus(const v1::SetStatusRequest& req) {
  if (Status s = CheckAccountId(req.account_id()); !s.ok()) return s;
  Result<v1::AccountRecord> r = Changed(accounts_.SetStatus(req.account_id(), req.active()));
  if (r.ok()) spdlog::info("account {} {}", req.account_id(), req.active() ? "enabled" : "disabled");
  return r;
}

Result<v1::AccountRecord> Admin::SetPrices(const v1::SetPricesRequest& req) {
  if (Status s = CheckAccountId(req.account_id()); !s.ok()) return s;
  if (!req.has_price_normal() && !req.has_price_express()) {
    return Status::InvalidArgument("give price_normal, price_express or both");
  }
  std::optional<int64_t> normal;
  std::optional<int64_t> express;
  if (req.has_price_normal()) {
    if (Status s = CheckPrice(req.price_normal(), "price_normal"); !s.ok()) return s;
    normal = req.price_normal();
  }
  if (req.has_price_express()) {
    if (Status s = CheckPrice(req.price_express(), "price_express"); !s.ok()) return s;
    express = req.price_express();
  }
  return Changed(accounts_.SetPrices(req.account_id(), normal, express));
}

Result<v1::AccountRecord> Admin::SetWeight(const v1::SetWeightRequest& req) {
  if (Status s = CheckAccountId(req.account_id()); !s.ok()) return s;
  if (req.weight() < 1 || req.weight() > kMaxWeight) {
    return Status::InvalidArgument("weight must be 1.." + std::to_string(kMaxWeight));
  }
  return Changed(accounts_.SetWeight(req.account_id(), req.weight()));
}

Result<v1::AccountRecord> Admin::SetRateLimit(const v1::SetRateLimitRequest& req) {
  if (Status s = CheckAccountId(req.account_id()); !s.ok()) return s;
  const bool clear = req.rps() == 0 && req.burst() == 0;
  if (!clear && (req.rps() <= 0 || req.burst() <= 0)) {
    return Status::InvalidArgument("rps and burst must both be positive (or both 0 for the API's default)");
  }
  return Changed(accounts_.SetRateLimit(req.account_id(), req.rps(), req.burst()));
}

Result<v1::WebhookSecretReply> Admin::WebhookSecret(const v1::WebhookSecretRequest& req) {
  if (Status s = CheckAccountId(req.account_id()); !s.ok()) return s;
  std::optional<std::string> replacement;
  if (req.rotate()) replacement = auth::GenerateWebhookSecret();
  Result<std::string> secret = accounts_.WebhookSecret(req.account_id(), replacement);
  if (!secret.ok()) return secret.status();
  if (req.rotate()) spdlog::info("account {}: webhook secret rotated", req.account_id());
  v1::WebhookSecretReply reply;
  reply.set_secret(*secret);
  return reply;
}

Result<v1::CreateKeyReply> Admin::CreateKey(int64_t account_id) {
  if (Status s = CheckAccountId(account_id); !s.ok()) return s;
  const auth::NewKey key = auth::GenerateApiKey();
  if (Status s = accounts_.AddKey(account_id, key.hash, key.key_id); !s.ok()) return s;
  auto conn = redis_.Acquire();
  if (Result<redis::Reply> r = conn->Run({"SET", keys::ApiKey(key.hash), std::to_string(account_id)}); !r.ok()) {
    return r.status();
  }
  spdlog::info("account {}: API key {} created", account_id, key.key_id);
  v1::CreateKeyReply reply;
  reply.set_key_id(key.key_id);
  reply.set_api_key(key.key);
  return reply;
}

Result<v1::ListKeysReply> Admin::ListKeys(int64_t account_id) {
  if (Status s = CheckAccountId(account_id); !s.ok()) return s;
  Result<std::vector<AccountStore::Key>> found = accounts_.ListKeys(account_id);
  if (!found.ok()) return found.status();
  v1::ListKeysReply reply;
  for (const AccountStore::Key& k : *found) *reply.add_keys() = KeyInfo(k);
  return reply;
}

Result<v1::RevokeKeyReply> Admin::RevokeKey(const std::string& key_id) {
  if (key_id.empty() || key_id.size() > 64) return Status::InvalidArgument("key_id must be 1..64 characters");
  Result<AccountStore::Revoked> revoked = accounts_.RevokeKey(key_id);
  if (!revoked.ok()) return revoked.status();
  const std::string& hash = revoked->key.key_hash;
  auto conn = redis_.Acquire();
  Result<std::vector<redis::Reply>> r =
      conn->Pipeline({{"DEL", keys::ApiKey(hash)}, {"PUBLISH", keys::kAuthChannel, keys::AuthKeyMessage(hash)}});
  if (!r.ok()) return r.status();
  if (Status s = redis::PipelineStatus({{"DEL"}, {"PUBLISH"}}, *r); !s.ok()) return s;
  if (!revoked->already) spdlog::info("account {}: API key {} revoked", revoked->key.account_id, key_id);
  v1::RevokeKeyReply reply;
  *reply.mutable_key() = KeyInfo(revoked->key);
  reply.set_already_revoked(revoked->already);
  return reply;
}

Status Admin::Mirror(const AccountStore::Settings& settings) {
  auto conn = redis_.Acquire();
  const std::vector<redis::Command> commands{
      lua::kSetSettingsScript.Invocation({keys::Account(settings.id)}, SettingsArgs(settings)),
      {"PUBLISH", keys::kAuthChannel, keys::AuthAccountMessage(settings.id)}};
  Result<std::vector<redis::Reply>> r = conn->PipelineScripts(commands, {&lua::kSetSettingsScript});
  if (!r.ok()) return r.status();
  return redis::PipelineStatus(commands, *r, "account settings");
}

Result<v1::AccountRecord> Admin::Changed(Result<AccountStore::Settings> settings) {
  if (!settings.ok()) return settings.status();
  if (Status s = Mirror(*settings); !s.ok()) {
    return Status::Unavailable("saved in PostgreSQL, but Redis was not updated (" + s.message() +
                               "); repeat the command");
  }
  Result<std::vector<v1::AccountRecord>> records = Records({*settings});
  if (!records.ok()) return records.status();
  return std::move(records->front());
}

Result<std::vector<v1::AccountRecord>> Admin::Records(const std::vector<AccountStore::Settings>& settings) {
  std::vector<redis::Command> reads;
  for (const AccountStore::Settings& s : settings) {
    reads.push_back({"HMGET", keys::Account(s.id), "balance", "held", "charged", "refunded"});
  }
  std::vector<redis::Reply> money;
  if (!reads.empty()) {
    auto conn = redis_.Acquire();
    Result<std::vector<redis::Reply>> r = conn->Pipeline(reads);
    if (!r.ok()) return r.status();
    if (Status s = redis::PipelineStatus(reads, *r); !s.ok()) return s;
    money = std::move(r).value();
  }
  std::vector<v1::AccountRecord> out;
  for (size_t i = 0; i < settings.size(); ++i) {
    const AccountStore::Settings& s = settings[i];
    v1::AccountRecord rec;
    rec.set_id(s.id);
    rec.set_name(s.name);
    rec.set_active(s.status == "active");
    rec.set_price_normal(s.price_normal);
    rec.set_price_express(s.price_express);
    rec.set_weight(s.weight);
    rec.set_rate_limit_rps(s.rate_rps);
    rec.set_rate_limit_burst(s.rate_burst);
    rec.set_created_at_ms(s.created_at_ms);
    rec.set_active_keys(s.active_keys);
    const std::vector<redis::Reply>& m = money[i].elements;
    if (m.size() == 4) {
      rec.set_balance(IntOr0(m[0]));
      rec.set_held(IntOr0(m[1]));
      rec.set_charged(IntOr0(m[2]));
      rec.set_refunded(IntOr0(m[3]));
    }
    out.push_back(std::move(rec));
  }
  return out;
}

}  // namespace smsgw::ledger
