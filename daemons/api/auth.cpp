#include "api/auth.h"

#include <cctype>
#include <charconv>
#include <limits>

#include "auth/api_key.h"
#include "common/time.h"
#include "keys/keys.h"

namespace smsgw::api {
namespace {

constexpr std::string_view kScheme = "bearer";

Result<int64_t> ParseInt(const std::string& s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
    return Status::Internal("not an integer: \"" + s + "\"");
  }
  return v;
}

}  // namespace

Result<std::string> ParseBearer(std::optional<std::string_view> header) {
  if (!header) return Status::Unauthenticated("missing Authorization header: send \"Bearer <api key>\"");
  std::string_view h = *header;
  while (!h.empty() && (h.front() == ' ' || h.front() == '\t')) h.remove_prefix(1);
  while (!h.empty() && (h.back() == ' ' || h.back() == '\t')) h.remove_suffix(1);
  bool scheme_ok = h.size() > kScheme.size() && (h[kScheme.size()] == ' ' || h[kScheme.size()] == '\t');
  for (size_t i = 0; scheme_ok && i < kScheme.size(); ++i) {
    scheme_ok = std::tolower(static_cast<unsigned char>(h[i])) == kScheme[i];
  }
  if (!scheme_ok) return Status::Unauthenticated("Authorization must use the Bearer scheme");
  h.remove_prefix(kScheme.size());
  while (!h.empty() && (h.front() == ' ' || h.front() == '\t')) h.remove_prefix(1);
  if (h.empty()) return Status::Unauthenticated("empty API key");
  if (h.size() > kMaxApiKeyLength) return Status::Unauthenticated("unknown API key");
  for (char c : h) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) return Status::Unauthenticated("malformed API key");
  }
  return std::string(h);
}

Result<Account> ParseAccount(int64_t account_id, const redis::Reply& hmget) {
  if (hmget.type != redis::Reply::Type::kArray || (hmget.elements.size() != 3 && hmget.elements.size() != 5)) {
    return Status::Internal("account " + std::to_string(account_id) + ": unexpected HMGET reply");
  }
  const auto& f = hmget.elements;
  if (f[0].is_nil() && f[1].is_nil() && f[2].is_nil()) {
    return Status::Unauthenticated("unknown API key");
  }
  Account a;
  a.id = account_id;
  a.disabled = f[0].str == "disabled";
  auto price = [&](const redis::Reply& r, const char* name) -> Result<int64_t> {
    if (r.is_nil()) return int64_t{0};
    Result<int64_t> v = ParseInt(r.str);
    if (!v.ok() || *v < 0) {
      return Status::Internal("account " + std::to_string(account_id) + ": bad " + name + " \"" + r.str + "\"");
    }
    return v;
  };
  Result<int64_t> normal = price(f[1], "price_normal");
  if (!normal.ok()) return normal.status();
  Result<int64_t> express = price(f[2], "price_express");
  if (!express.ok()) return express.status();
  a.price_normal = *normal;
  a.price_express = *express > 0 ? *express : *normal;  // 0: same as normal (smsgw.proto)
  if (f.size() == 5) {
    // Absent or unreadable: the configured default (contract 1).
    auto rate = [](const redis::Reply& r) {
      Result<int64_t> v = r.is_nil() ? Result<int64_t>(int64_t{0}) : ParseInt(r.str);
      return v.ok() && *v > 0 ? static_cast<double>(*v) : 0.0;
    };
    a.rate_rps = rate(f[3]);
    a.rate_burst = rate(f[4]);
  }
  return a;
}

namespace {

Result<Account> Judge(Account account) {
  if (account.disabled) return Status::PermissionDenied("account " + std::to_string(account.id) + " is disabled");
  return account;
}

}  // namespace

std::optional<Account> Authenticator::Cached(const std::string& key_hash, int64_t now_ms) const {
  return cache_.Get(key_hash, now_ms, heard_ ? std::numeric_limits<int64_t>::max() : kUnheardMaxAgeMs);
}

std::optional<Result<Account>> Authenticator::TryCachedKey(const std::string& key) {
  std::optional<Account> account = Cached(auth::HashApiKey(key), NowMs());
  if (!account) return std::nullopt;
  return Judge(*std::move(account));
}

Result<Account> Authenticator::AuthenticateKey(const std::string& key) {
  const std::string hash = auth::HashApiKey(key);
  const int64_t now = NowMs();
  std::optional<Account> account = Cached(hash, now);
  if (!account) {
    Result<Account> found = Lookup(hash);
    if (!found.ok()) return found.status();
    account = std::move(found).value();
    account->key_hash = hash;
    cache_.Put(hash, *account, now);
  }
  return Judge(*std::move(account));
}

std::optional<Result<Account>> Authenticator::TryCached(std::optional<std::string_view> authorization_header) {
  Result<std::string> key = ParseBearer(authorization_header);
  if (!key.ok()) return Result<Account>(key.status());
  return TryCachedKey(*key);
}

Result<Account> Authenticator::Authenticate(std::optional<std::string_view> authorization_header) {
  Result<std::string> key = ParseBearer(authorization_header);
  if (!key.ok()) return key.status();
  return AuthenticateKey(*key);
}

Result<Account> Authenticator::Lookup(const std::string& key_hash) {
  redis::Pool::Lease conn = pool_.Acquire();
  // With the key, whether Redis holds every key at all: one that is missing only because Redis
  // was emptied and is being reloaded must not be told it is unknown (review M12).
  const std::vector<redis::Command> cmds = {{"GET", keys::ApiKey(key_hash)}, {"EXISTS", keys::kLedgerReady}};
  Result<std::vector<redis::Reply>> replies = conn->Pipeline(cmds);
  if (!replies.ok()) return replies.status().WithContext("auth");
  if (Status s = redis::PipelineStatus(cmds, *replies, "auth"); !s.ok()) return s;
  const redis::Reply& id_reply = (*replies)[0];
  if (id_reply.is_nil()) {
    if ((*replies)[1].integer == 0) {
      return Status::Unavailable("auth: Redis is being reloaded (" + std::string(keys::kLedgerReady) + " missing)");
    }
    return Status::Unauthenticated("unknown API key");
  }
  Result<int64_t> id = ParseInt(id_reply.str);
  if (!id.ok()) return id.status().WithContext("auth: apikey value");
  Result<redis::Reply> acct =
      conn->Run({"HMGET", keys::Account(*id), "status", "price_normal", "price_express", "rate_rps", "rate_burst"});
  if (!acct.ok()) return acct.status().WithContext("auth");
  return ParseAccount(*id, *acct);
}

}  // namespace smsgw::api
