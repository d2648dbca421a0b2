// The ledger's background work: start-up recovery, write-behind flushes and hold expiry.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>

#include "common/time.h"
#include "keys/keys.h"
#include "ledger/ledger.h"
#include "ledger/lua_scripts.h"
#include "ledger/round.h"
#include "ledger/settings_args.h"

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

std::string Str(int64_t v) { return std::to_string(v); }

redis::Command Accounts(const char* verb, const std::vector<int64_t>& accounts) {
  redis::Command cmd{verb, keys::kDirtyAccounts};
  for (int64_t a : accounts) cmd.push_back(Str(a));
  return cmd;
}

// A due entry of ledger:hold_expiry.
struct DueHold {
  int64_t account = 0;
  std::string message_id;
};

}  // namespace

Status Ledger::WarmUp() {
  Result<std::vector<MoneyStore::Account>> accounts = store_.LoadAccounts();
  if (!accounts.ok()) return accounts.status();
  auto conn = redis_.Acquire();
  std::vector<int64_t> loaded;
  std::vector<int64_t> unflushed;
  for (size_t i = 0; i < accounts->size(); i += kWarmUpChunk) {
    Round round(lua::kLoadAccountScript);
    for (size_t j = i; j < std::min(accounts->size(), i + kWarmUpChunk); ++j) {
      const MoneyStore::Account& a = (*accounts)[j];
      std::vector<std::string> args{Str(a.balance)};
      for (std::string& s : SettingsArgs(a.settings)) args.push_back(std::move(s));
      round.Invoke({keys::Account(a.settings.id)}, args);
    }
    Result<std::vector<redis::Reply>> replies = round.Run(*conn);
    if (!replies.ok()) return replies.status();
    for (size_t k = 0; k < replies->size(); ++k) {
      const redis::Reply& r = (*replies)[k];
      if (r.elements.size() != 2) return Status::Internal("ledger load script: bad reply");
      if (r.elements[0].integer == 1) loaded.push_back((*accounts)[i + k].settings.id);
      if (r.elements[1].integer == 1) unflushed.push_back((*accounts)[i + k].settings.id);
    }
  }
  // A crash between a script and the SADD after it (lua_scripts.h) can leave a delta that no
  // dirty mark points to: mark every such account, so the flush at start finds it.
  for (size_t i = 0; i < unflushed.size(); i += kWarmUpChunk) {
    std::vector<int64_t> chunk(unflushed.begin() + i, unflushed.begin() + std::min(unflushed.size(), i + kWarmUpChunk));
    if (Status s = RunPipeline(*conn, {Accounts("SADD", chunk)}, "SADD"); !s.ok()) return s;
  }
  // A freshly loaded balance already includes every top-up PostgreSQL has.
  if (Status s = store_.MarkAllTopUpsApplied(loaded); !s.ok()) return s;

  Result<std::vector<AccountStore::Key>> api_keys = accounts_.AllKeys();
  if (!api_keys.ok()) return api_keys.status();
  // Revoked keys are deleted too: a Redis restored from an older copy may still have them.
  std::vector<redis::Command> sets;
  for (const auto& k : *api_keys) {
    if (k.revoked_at_ms != 0) {
      sets.push_back({"DEL", keys::ApiKey(k.key_hash)});
    } else {
      sets.push_back({"SET", keys::ApiKey(k.key_hash), std::to_string(k.account_id)});
    }
  }
  for (size_t i = 0; i < sets.size(); i += kWarmUpChunk) {
    std::vector<redis::Command> chunk(sets.begin() + i, sets.begin() + std::min(sets.size(), i + kWarmUpChunk));
    if (Result<std::vector<redis::Reply>> r = conn->Pipeline(chunk); !r.ok()) return r.status();
  }

  Result<std::vector<MoneyStore::TopUp>> pending = store_.PendingTopUps();
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
  Result<redis::Reply> members = conn->Run({"SRANDMEMBER", keys::kDirtyAccounts, Str(max_accounts)});
  if (!members.ok()) return members.status();
  if (members->elements.empty()) return 0;

  std::vector<int64_t> accounts;
  Round takes(lua::kFlushTakeScript);
  for (const redis::Reply& m : members->elements) {
    Result<int64_t> id = m.AsInt();
    if (!id.ok()) continue;
    accounts.push_back(*id);
    takes.Invoke({keys::Account(*id)}, {NewFlushId(*id)});
  }
  Result<std::vector<redis::Reply>> taken = takes.Run(*conn);
  if (!taken.ok()) return taken.status();

  std::vector<MoneyStore::Flush> flushes;
  std::vector<std::string> flush_ids;
  for (size_t i = 0; i < accounts.size(); ++i) {
    const redis::Reply& r = (*taken)[i];
    std::string flush_id = "-";
    if (r.type == redis::Reply::Type::kString) {
      const size_t colon = r.str.rfind(':');
      flush_id = r.str.substr(0, colon);
      flushes.push_back({flush_id, accounts[i], std::stoll(r.str.substr(colon + 1))});
    }
    flush_ids.push_back(flush_id);
  }
  // Committed to PostgreSQL before 'flushing' is cleared: a crash in between re-applies the
  // same flush id at the next run, which ApplyFlushes skips.
  if (Status s = store_.ApplyFlushes(flushes); !s.ok()) return s;

  // The accounts leave the dirty set before the scripts look for what is left to flush: a
  // debit whose script runs after that look has its own SADD after its script, one that ran
  // before it is seen by the look and put back here.
  Round dones(lua::kFlushDoneScript);
  dones.Add(Accounts("SREM", accounts));
  for (size_t i = 0; i < accounts.size(); ++i) dones.Invoke({keys::Account(accounts[i])}, {flush_ids[i]});
  Result<std::vector<redis::Reply>> done = dones.Run(*conn);
  std::vector<int64_t> left;
  if (done.ok()) {
    for (size_t i = 0; i < accounts.size(); ++i) {
      if ((*done)[1 + i].integer == 1) left.push_back(accounts[i]);
    }
  } else {
    left = accounts;  // unknown: keep them all dirty
  }
  if (!left.empty()) {
    if (Status s = RunPipeline(*conn, {Accounts("SADD", left)}, "SADD"); !s.ok()) return s;
  }
  if (!done.ok()) return done.status();
  return static_cast<int>(flushes.size());
}

// Two round trips. First a SADD of the dirty marks, then the account's expiry script per due
// hold (which expires only a hold still `held`, review C1); then the `expired` events, the
// dirty marks again (as after a debit) and, last, the ZREM of the index entries. A crash between the two leaves the entries
// in the index: the next pass finds those holds `expired` and sends their events again (the
// report coalesces the duplicates) before removing them, so no event is lost.
Result<int> Ledger::SweepOnce(int64_t now_ms, int max_holds) {
  auto conn = redis_.Acquire();
  Result<redis::Reply> due =
      conn->Run({"ZRANGEBYSCORE", keys::kHoldExpiry, "-inf", Str(now_ms), "LIMIT", "0", Str(max_holds)});
  if (!due.ok()) return due.status();
  if (due->elements.empty()) return 0;

  std::vector<DueHold> holds;
  redis::Command unindex{"ZREM", keys::kHoldExpiry};
  std::vector<int64_t> accounts;
  for (const redis::Reply& m : due->elements) {
    unindex.push_back(m.str);  // an entry that does not parse is dropped too
    const size_t colon = m.str.find(':');
    if (colon == std::string::npos) continue;
    int64_t account = 0;
    const auto [end, ec] = std::from_chars(m.str.data(), m.str.data() + colon, account);
    if (ec != std::errc() || end != m.str.data() + colon || account <= 0) continue;
    holds.push_back({account, m.str.substr(colon + 1)});
    accounts.push_back(account);
  }
  std::sort(accounts.begin(), accounts.end());
  accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());

  Round expire(lua::kExpireScript);
  if (!holds.empty()) expire.Add(Accounts("SADD", accounts));
  for (const DueHold& h : holds) expire.Invoke({keys::Account(h.account), keys::Holds(h.account)}, {h.message_id});
  Result<std::vector<redis::Reply>> codes = expire.Run(*conn);
  if (!codes.ok()) return codes.status();

  std::vector<redis::Command> after;
  std::vector<int64_t> expired_accounts;
  int expired = 0;
  int resent = 0;
  for (size_t i = 0; i < holds.size(); ++i) {
    const int64_t code = (*codes)[1 + i].integer;
    if (code != 1 && code != 2) continue;
    (code == 1 ? expired : resent) += 1;
    if (code == 1) expired_accounts.push_back(holds[i].account);
    v1::StatusEvent ev;
    ev.set_message_id(holds[i].message_id);
    ev.set_account_id(holds[i].account);
    ev.set_status(v1::STATUS_EXPIRED);
    ev.set_at_ms(now_ms);
    ev.set_error("not sent before its hold expired");
    after.push_back({"XADD", keys::kReportEvents, "*", keys::kPayloadField, ev.SerializeAsString()});
  }
  if (!expired_accounts.empty()) {
    std::sort(expired_accounts.begin(), expired_accounts.end());
    expired_accounts.erase(std::unique(expired_accounts.begin(), expired_accounts.end()), expired_accounts.end());
    after.push_back(Accounts("SADD", expired_accounts));
  }
  after.push_back(std::move(unindex));
  if (Status s = RunPipeline(*conn, after, "sweep"); !s.ok()) return s;
  if (expired > 0 || resent > 0) {
    spdlog::info("expired {} holds{}", expired, resent > 0 ? fmt::format(" ({} events sent again)", resent) : "");
  }
  return expired;
}

}  // namespace smsgw::ledger
