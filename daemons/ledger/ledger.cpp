#include "ledger/ledger.h"

#include "keys/keys.h"

namespace smsgw::ledger {

Result<v1::BalanceReply> Ledger::GetBalance(int64_t account_id) {
  if (account_id <= 0) return Status::InvalidArgument("account_id must be positive");
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
  auto int_or_0 = [](const redis::Reply& v) { return v.AsInt().ok() ? *v.AsInt() : 0; };
  reply.set_active(e[0].str == "active");
  reply.set_balance(int_or_0(e[1]));
  reply.set_held(int_or_0(e[2]));
  reply.set_name(e[3].str);
  reply.set_price_normal(int_or_0(e[4]));
  reply.set_price_express(int_or_0(e[5]));
  return reply;
}

}  // namespace smsgw::ledger
