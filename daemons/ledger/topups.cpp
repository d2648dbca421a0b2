#include "ledger/topups.h"

#include <spdlog/spdlog.h>

#include "keys/keys.h"
#include "ledger/fault.h"
#include "ledger/lua_scripts.h"
#include "ledger/round.h"

namespace smsgw::ledger {

Result<v1::TopUpReply> TopUps::TopUp(const v1::TopUpRequest& req) {
  if (req.account_id() <= 0) return Status::InvalidArgument("account_id must be positive");
  if (req.amount() <= 0) return Status::InvalidArgument("amount must be positive");
  if (req.reference().empty() || req.reference().size() > 200) {
    return Status::InvalidArgument("reference must be 1..200 characters");
  }
  Result<MoneyStore::TopUp> t = store_.RecordTopUp(req.account_id(), req.reference(), req.amount());
  if (!t.ok()) return t.status();
  // A repeated reference runs the Redis step again too: it changes nothing if Redis has the
  // top-up, and puts it back if Redis lost it (review M7).
  Result<std::vector<Applied>> applied =
      FaultIs(Fault::kFailTopUpApply) ? Status::Unavailable("test fault fail-topup-apply") : Apply({*t});
  const std::string recorded = "top-up '" + req.reference() + "' of account " + std::to_string(req.account_id()) +
                               " is recorded, but Redis does not have it yet";
  if (!applied.ok()) {
    return Status::Unavailable(recorded + " (" + applied.status().message() + "); it is applied shortly");
  }
  if (applied->front().result == v1::LEDGER_ACCOUNT_UNKNOWN) {
    return Status::Unavailable(recorded + " (Redis is being reloaded); it is applied with the account");
  }
  if (Status s = store_.MarkApplied({*t}); !s.ok()) spdlog::warn("top-up '{}': {}", req.reference(), s.ToString());
  if (!applied->front().duplicate) {
    spdlog::info("account {} topped up by {} (reference '{}'{})", req.account_id(), req.amount(), req.reference(),
                 t->duplicate ? ", finished after an earlier attempt" : "");
  }
  v1::TopUpReply reply;
  reply.set_result(v1::LEDGER_OK);
  reply.set_balance(applied->front().balance);
  reply.set_duplicate(t->duplicate);
  return reply;
}

Result<std::vector<TopUps::Applied>> TopUps::Apply(const std::vector<MoneyStore::TopUp>& topups) {
  Round round(lua::kApplyTopUpScript);
  for (const MoneyStore::TopUp& t : topups) {
    round.Invoke({keys::Account(t.account_id), keys::TopUps(t.account_id)},
                 {std::to_string(t.seq), std::to_string(t.amount)});
  }
  auto conn = redis_.Acquire();
  Result<std::vector<redis::Reply>> replies = round.Run(*conn);
  if (!replies.ok()) return replies.status();
  std::vector<Applied> out;
  for (const redis::Reply& r : *replies) {
    if (r.elements.size() != 3 || !r.elements[0].AsInt().ok() || !r.elements[1].AsInt().ok()) {
      return Status::Internal("ledger top-up script: bad reply");
    }
    out.push_back(
        {static_cast<v1::LedgerResult>(*r.elements[0].AsInt()), *r.elements[1].AsInt(), r.elements[2].integer == 1});
  }
  return out;
}

Result<int> TopUps::ApplyAndNote(const std::vector<MoneyStore::TopUp>& topups) {
  if (topups.empty()) return 0;
  Result<std::vector<Applied>> applied = Apply(topups);
  if (!applied.ok()) return applied.status();
  std::vector<MoneyStore::TopUp> in_redis;
  int now = 0;
  for (size_t i = 0; i < topups.size(); ++i) {
    const MoneyStore::TopUp& t = topups[i];
    // An account Redis lacks is loaded with every top-up PostgreSQL has (resync.h).
    if ((*applied)[i].result != v1::LEDGER_OK) continue;
    in_redis.push_back(t);
    if ((*applied)[i].duplicate) continue;
    ++now;
    spdlog::info("account {}: top-up '{}' of {} applied to Redis", t.account_id, t.reference, t.amount);
  }
  if (Status s = store_.MarkApplied(in_redis); !s.ok()) return s;
  return now;
}

Result<int> TopUps::FinishPending(int limit) {
  Result<std::vector<MoneyStore::TopUp>> pending = store_.NotApplied(limit);
  if (!pending.ok()) return pending.status();
  return ApplyAndNote(*pending);
}

Result<int> TopUps::ApplyAfter(int64_t account_id, int64_t seq) {
  Result<std::vector<MoneyStore::TopUp>> after = store_.TopUpsAfter(account_id, seq);
  if (!after.ok()) return after.status();
  return ApplyAndNote(*after);
}

}  // namespace smsgw::ledger
