// The ledger's background work: start-up recovery, write-behind flushes and hold expiry.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <set>

#include "common/time.h"
#include "keys/keys.h"
#include "ledger/ledger.h"
#include "ledger/lua_scripts.h"

namespace smsgw::ledger {
namespace {


constexpr size_t kWarmUpChunk = 1000;

// Unique across accounts, restarts and ledger instances: a flush id must never repeat, or a
// later flush would be taken for a replay of an earlier one and skipped.
std::string NewFlushId(int64_t account_id) {
  static std::atomic<uint64_t> counter{0};
  return std::to_string(account_id) + "-" + std::to_string(NowMs()) + "-" + std::to_string(getpid()) + "-" +
         std::to_string(counter.fetch_add(1));
}

// Pipelines script invocations; an error reply in any slot fails the whole batch.
Result<std::vector<redis::Reply>> PipelineScripts(redis::Connection& conn,
                                                 std::initializer_list<const redis::Script*> scripts,
                                                 const std::vector<redis::Command>& commands) {
  Result<std::vector<redis::Reply>> replies = conn.PipelineScripts(commands, scripts);
  if (!replies.ok()) return replies.status();
  for (const redis::Reply& r : *replies) {
    if (r.is_error()) return redis::ErrorReply("ledger script", r.str);
  }
  return replies;
}

}  // namespace

Status Ledger::WarmUp() {
  Result<std::vector<AccountStore::Account>> accounts = store_.LoadAccounts();
  if (!accounts.ok()) return accounts.status();
  auto conn = redis_.Acquire();
  std::vector<int64_t> loaded;
  for (size_t i = 0; i < accounts->size(); i += kWarmUpChunk) {
    std::vector<redis::Command> cmds;
    for (size_t j = i; j < std::min(accounts->size(), i + kWarmUpChunk); ++j) {
      const auto& a = (*accounts)[j];
      cmds.push_back(lua::kLoadAccountScript.Invocation({keys::Account(a.id)},
                                 {a.status, a.name, std::to_string(a.price_normal), std::to_string(a.price_express),
                                  std::to_string(a.balance)}));
    }
    Result<std::vector<redis::Reply>> replies = PipelineScripts(*conn, {&lua::kLoadAccountScript}, cmds);
    if (!replies.ok()) return replies.status();
    for (size_t k = 0; k < replies->size(); ++k) {
      if ((*replies)[k].integer == 1) loaded.push_back((*accounts)[i + k].id);
    }
  }
  // A freshly loaded balance already includes every top-up PostgreSQL has.
  if (Status s = store_.MarkAllTopUpsApplied(loaded); !s.ok()) return s;

  Result<std::vector<AccountStore::ApiKey>> api_keys = store_.LoadApiKeys();
  if (!api_keys.ok()) return api_keys.status();
  std::vector<redis::Command> sets;
  for (const auto& k : *api_keys) sets.push_back({"SET", keys::ApiKey(k.key_hash), std::to_string(k.account_id)});
  for (size_t i = 0; i < sets.size(); i += kWarmUpChunk) {
    std::vector<redis::Command> chunk(sets.begin() + i, sets.begin() + std::min(sets.size(), i + kWarmUpChunk));
    if (Result<std::vector<redis::Reply>> r = conn->Pipeline(chunk); !r.ok()) return r.status();
  }

  Result<std::vector<AccountStore::TopUp>> pending = store_.PendingTopUps();
  if (!pending.ok()) return pending.status();
  for (const auto& t : *pending) {
    if (Status s = ApplyTopUpToRedis(t.account_id, t.reference, t.amount, nullptr); !s.ok()) return s;
  }
  spdlog::info("warm-up: {} accounts ({} loaded into Redis), {} API keys, {} pending top-ups finished",
               accounts->size(), loaded.size(), api_keys->size(), pending->size());
  return Status::Ok();
}

Result<int> Ledger::FlushOnce(int max_accounts) {
  auto conn = redis_.Acquire();
  Result<redis::Reply> members = conn->Run({"SRANDMEMBER", keys::kDirtyAccounts, std::to_string(max_accounts)});
  if (!members.ok()) return members.status();
  if (members->elements.empty()) return 0;

  std::vector<int64_t> accounts;
  std::vector<redis::Command> takes;
  for (const redis::Reply& m : members->elements) {
    Result<int64_t> id = m.AsInt();
    if (!id.ok()) continue;
    accounts.push_back(*id);
    takes.push_back(lua::kFlushTakeScript.Invocation({keys::Account(*id)}, {NewFlushId(*id)}));
  }
  Result<std::vector<redis::Reply>> taken = PipelineScripts(*conn, {&lua::kFlushTakeScript, &lua::kFlushDoneScript}, takes);
  if (!taken.ok()) return taken.status();

  std::vector<AccountStore::Flush> flushes;
  std::vector<redis::Command> dones;
  for (size_t i = 0; i < accounts.size(); ++i) {
    const redis::Reply& r = (*taken)[i];
    std::string flush_id;
    if (r.type == redis::Reply::Type::kString) {
      const size_t colon = r.str.rfind(':');
      flush_id = r.str.substr(0, colon);
      flushes.push_back({flush_id, accounts[i], std::stoll(r.str.substr(colon + 1))});
    }
    dones.push_back(lua::kFlushDoneScript.Invocation({keys::Account(accounts[i]), keys::kDirtyAccounts},
                                {flush_id.empty() ? "-" : flush_id, std::to_string(accounts[i])}));
  }
  // Committed to PostgreSQL before 'flushing' is cleared: a crash in between re-applies the
  // same flush id at the next run, which ApplyFlushes skips.
  if (Status s = store_.ApplyFlushes(flushes); !s.ok()) return s;
  if (Result<std::vector<redis::Reply>> r = conn->Pipeline(dones); !r.ok()) return r.status();
  return static_cast<int>(flushes.size());
}

Result<int> Ledger::SweepOnce(int64_t now_ms, int max_holds) {
  auto conn = redis_.Acquire();
  Result<redis::Reply> due = conn->Run({"ZRANGEBYSCORE", keys::kHoldExpiry, "-inf", std::to_string(now_ms), "LIMIT",
                                        "0", std::to_string(max_holds)});
  if (!due.ok()) return due.status();
  std::vector<redis::Command> refunds;
  for (const redis::Reply& m : due->elements) {
    const size_t colon = m.str.find(':');
    if (colon == std::string::npos) continue;
    const int64_t account = std::stoll(m.str.substr(0, colon));
    const std::string message_id = m.str.substr(colon + 1);
    v1::StatusEvent ev;
    ev.set_message_id(message_id);
    ev.set_account_id(account);
    ev.set_status(v1::STATUS_EXPIRED);
    ev.set_at_ms(now_ms);
    ev.set_error("not sent before its hold expired");
    refunds.push_back(lua::kRefundScript.Invocation(
        {keys::Account(account), keys::Holds(account), keys::kHoldExpiry, keys::kDirtyAccounts, keys::kReportEvents},
        {message_id, std::to_string(account), "expired", ev.SerializeAsString()}));
  }
  if (refunds.empty()) return 0;
  Result<std::vector<redis::Reply>> r = PipelineScripts(*conn, {&lua::kRefundScript}, refunds);
  if (!r.ok()) return r.status();
  spdlog::info("expired {} holds", refunds.size());
  return static_cast<int>(refunds.size());
}

}  // namespace smsgw::ledger
