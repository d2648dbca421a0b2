#include "ledger/ledger.h"

#include <spdlog/spdlog.h>

#include "common/time.h"
#include "keys/keys.h"
#include "ledger/lua_scripts.h"

namespace smsgw::ledger {
namespace {


std::string Str(int64_t v) { return std::to_string(v); }

Status RequirePositiveAccount(int64_t account_id) {
  if (account_id <= 0) return Status::InvalidArgument("account_id must be positive");
  return Status::Ok();
}

// Reads element i of a script's array reply as an integer.
Result<int64_t> Element(const redis::Reply& r, size_t i) {
  if (r.type != redis::Reply::Type::kArray || r.elements.size() <= i) {
    return Status::Internal("ledger script: unexpected reply shape");
  }
  return r.elements[i].AsInt();
}

}  // namespace

Result<v1::TopUpReply> Ledger::TopUp(const v1::TopUpRequest& req) {
  if (Status s = RequirePositiveAccount(req.account_id()); !s.ok()) return s;
  if (req.amount() <= 0) return Status::InvalidArgument("amount must be positive");
  if (req.reference().empty() || req.reference().size() > 200) {
    return Status::InvalidArgument("reference must be 1..200 characters");
  }
  Result<MoneyStore::TopUp> t = store_.RecordTopUp(req.account_id(), req.reference(), req.amount());
  if (!t.ok()) return t.status();
  v1::TopUpReply reply;
  reply.set_duplicate(t->duplicate);
  if (t->applied) {
    Result<v1::BalanceReply> b = GetBalance(req.account_id());
    if (!b.ok()) return b.status();
    reply.set_balance(b->balance());
    return reply;
  }
  if (Status s = ApplyTopUpToRedis(req.account_id(), req.reference(), req.amount(), &reply); !s.ok()) return s;
  spdlog::info("account {} topped up by {} (reference '{}'{})", req.account_id(), req.amount(), req.reference(),
               t->duplicate ? ", finished after an earlier attempt" : "");
  return reply;
}

Status Ledger::ApplyTopUpToRedis(int64_t account_id, const std::string& reference, int64_t amount,
                                 v1::TopUpReply* reply) {
  auto conn = redis_.Acquire();
  Result<redis::Reply> r = conn->Eval(lua::kApplyTopUpScript, {keys::Account(account_id), keys::TopUps(account_id)},
                                      {reference, Str(amount)});
  if (!r.ok()) return r.status();
  Result<int64_t> result = Element(*r, 0);
  Result<int64_t> balance = Element(*r, 1);
  if (!result.ok() || !balance.ok()) return Status::Internal("ledger topup script: bad reply");
  if (*result == v1::LEDGER_ACCOUNT_UNKNOWN) {
    // PostgreSQL has the account but this Redis does not: WarmUp() at the next start loads it
    // with a balance that already includes this top-up.
    return Status::Unavailable("account " + Str(account_id) + " is not loaded in Redis; restart smsgw-ledger");
  }
  if (reply != nullptr) reply->set_balance(*balance);
  return store_.MarkTopUpApplied(account_id, reference);
}

Result<v1::BalanceReply> Ledger::GetBalance(int64_t account_id) {
  if (Status s = RequirePositiveAccount(account_id); !s.ok()) return s;
  auto conn = redis_.Acquire();
  Result<redis::Reply> r = conn->Run(
      {"HMGET", keys::Account(account_id), "status", "balance", "held", "name", "price_normal", "price_express"});
  if (!r.ok()) return r.status();
  v1::BalanceReply reply;
  const auto& e = r->elements;
  if (e.size() != 6 || e[0].is_nil()) {
    reply.set_result(v1::LEDGER_ACCOUNT_UNKNOWN);
    return reply;
  }
  reply.set_active(e[0].str == "active");
  reply.set_balance(e[1].AsInt().ok() ? *e[1].AsInt() : 0);
  reply.set_held(e[2].AsInt().ok() ? *e[2].AsInt() : 0);
  reply.set_name(e[3].str);
  reply.set_price_normal(e[4].AsInt().ok() ? *e[4].AsInt() : 0);
  reply.set_price_express(e[5].AsInt().ok() ? *e[5].AsInt() : 0);
  return reply;
}

}  // namespace smsgw::ledger
