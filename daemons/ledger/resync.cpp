#include "ledger/resync.h"

#include <spdlog/spdlog.h>

#include "auth/api_key.h"
#include "common/time.h"
#include "keys/keys.h"
#include "ledger/lua_scripts.h"
#include "ledger/round.h"
#include "ledger/settings_args.h"

namespace smsgw::ledger {
namespace {

constexpr int kChunk = 1000;
constexpr const char* kCanaryPrefix = "ledger:reloading:";

std::string Str(int64_t v) { return std::to_string(v); }

// The run_id line of INFO server.
std::string RunId(const std::string& info) {
  const std::string field = "run_id:";
  const size_t at = info.find(field);
  if (at == std::string::npos) return "";
  const size_t end = info.find_first_of("\r\n", at);
  return info.substr(at + field.size(), end == std::string::npos ? std::string::npos : end - at - field.size());
}

// Element i of a script's array reply, as an integer (0 if it is not one).
int64_t At(const redis::Reply& r, size_t i) {
  if (i >= r.elements.size()) return 0;
  Result<int64_t> v = r.elements[i].AsInt();
  return v.ok() ? *v : 0;
}

}  // namespace

Result<bool> Resync::Needed() {
  auto conn = redis_.Acquire();
  const std::vector<redis::Command> commands{{"EXISTS", keys::kLedgerReady}, {"INFO", "server"}};
  Result<std::vector<redis::Reply>> r = conn->Pipeline(commands);
  if (!r.ok()) return r.status();
  if (Status s = redis::PipelineStatus(commands, *r); !s.ok()) return s;
  if ((*r)[0].integer == 0) return true;
  std::lock_guard lock(mu_);
  return RunId((*r)[1].str) != run_id_;
}

Result<Resync::Summary> Resync::Run() {
  // A canary of this run: if Redis is emptied while it runs, the canary goes too, and the run
  // does not claim a complete load.
  const std::string canary = kCanaryPrefix + auth::RandomHex(16);
  const std::vector<redis::Command> start{{"INFO", "server"}, {"SET", canary, "1", "PX", "3600000"}};
  Result<std::vector<redis::Reply>> started = redis_.Acquire()->Pipeline(start);
  if (!started.ok()) return started.status();
  if (Status s = redis::PipelineStatus(start, *started); !s.ok()) return s;
  const std::string run_id = RunId((*started)[0].str);

  Summary summary;
  for (int64_t after = 0;;) {
    Result<std::vector<MoneyStore::Durable>> chunk = money_.LoadAccounts(after, kChunk);
    if (!chunk.ok()) return chunk.status();
    if (chunk->empty()) break;
    if (Status s = Sync(*chunk, summary); !s.ok()) return s;
    after = chunk->back().settings.id;
  }
  auto conn = redis_.Acquire();
  if (Status s = LoadKeys(*conn, summary); !s.ok()) return s;

  const std::vector<redis::Command> finish{{"DEL", canary}};
  Result<std::vector<redis::Reply>> finished = conn->Pipeline(finish);
  if (!finished.ok()) return finished.status();
  if ((*finished)[0].integer != 1) return Status::Unavailable("Redis was emptied during the reload; reloading again");
  if (Result<redis::Reply> r = conn->Run({"SET", keys::kLedgerReady, Str(NowMs())}); !r.ok()) return r.status();
  {
    std::lock_guard lock(mu_);
    run_id_ = run_id;
  }
  if (summary.loaded > 0 || summary.behind > 0 || summary.topups > 0) {
    spdlog::warn(
        "Redis reloaded from PostgreSQL: {} accounts, {} were missing ({} held given back), {} had lost changes, "
        "at least {} of debits lost, {} top-ups applied again, {} API keys",
        summary.accounts, summary.loaded, summary.returned, summary.behind, summary.lost, summary.topups, summary.keys);
  } else {
    spdlog::info("Redis checked against PostgreSQL: {} accounts ({} not yet flushed), {} API keys", summary.accounts,
                 summary.unflushed, summary.keys);
  }
  return summary;
}

// The comparison scripts, the dirty marks, then the missing top-ups.
Status Resync::Sync(const std::vector<MoneyStore::Durable>& accounts, Summary& summary) {
  Round round(lua::kSyncAccountScript);
  for (const MoneyStore::Durable& a : accounts) {
    round.Invoke({keys::Account(a.settings.id), keys::TopUps(a.settings.id)}, SyncArgs(a));
  }
  Result<std::vector<redis::Reply>> replies = round.Run(*redis_.Acquire());
  if (!replies.ok()) return replies.status();

  redis::Command dirty{"SADD", keys::kDirtyAccounts};
  std::vector<std::pair<int64_t, int64_t>> short_of_topups;  // account, Redis's topup_seq
  for (size_t i = 0; i < accounts.size(); ++i) {
    const MoneyStore::Durable& a = accounts[i];
    const redis::Reply& r = (*replies)[i];
    const int64_t code = At(r, 0);
    const int64_t mark = At(r, 1);
    ++summary.accounts;
    if (code != 0) dirty.push_back(Str(a.settings.id));
    if (code == 0) unflushed_.Flushed(a.settings.id, a.flush_seq);
    if (code == 1) ++summary.unflushed;
    if (code == 2) {
      ++summary.behind;
      const Unflushed::Lost lost = unflushed_.LostAfter(a.settings.id, At(r, 8));
      summary.lost += lost.amount;
      spdlog::warn(
          "account {}: Redis lost changes PostgreSQL had (held {} -> {}, charged {} -> {}, refunded {} -> {}, "
          "released {} -> {}, expired {} -> {}); PostgreSQL follows Redis{}",
          a.settings.id, a.counters.held, At(r, 3), a.counters.charged, At(r, 4), a.counters.refunded, At(r, 5),
          a.counters.released, At(r, 6), a.counters.expired, At(r, 7), LostText(lost));
    }
    if (code == 3) {
      ++summary.loaded;
      const int64_t returned = At(r, 3);
      const Unflushed::Lost lost = unflushed_.LostAfter(a.settings.id, a.flush_seq);
      summary.returned += returned;
      summary.lost += lost.amount;
      if (returned > 0 || lost.amount > 0) {
        spdlog::warn(
            "account {}: loaded into Redis from PostgreSQL as flushed at {} ms; {} held for messages lost with Redis "
            "given back; changes after that flush could not be recovered{}",
            a.settings.id, a.flushed_at_ms, returned, LostText(lost));
      }
    }
    if (mark < a.topup_seq || At(r, 2) > 0) short_of_topups.emplace_back(a.settings.id, mark);
  }
  if (dirty.size() > 2) {
    if (Status s = RunPipeline(*redis_.Acquire(), {dirty}, "SADD"); !s.ok()) return s;
  }
  for (const auto& [account, mark] : short_of_topups) {
    Result<int> applied = topups_.ApplyAfter(account, mark);
    if (!applied.ok()) return applied.status();
    summary.topups += *applied;
  }
  return Status::Ok();
}

Status Resync::LoadKeys(redis::Connection& conn, Summary& summary) {
  Result<std::vector<AccountStore::Key>> all = accounts_.AllKeys();
  if (!all.ok()) return all.status();
  // Revoked keys are deleted too: a Redis restored from an older copy may still have them.
  std::vector<redis::Command> writes;
  for (const AccountStore::Key& k : *all) {
    if (k.revoked_at_ms != 0) {
      writes.push_back({"DEL", keys::ApiKey(k.key_hash)});
    } else {
      writes.push_back({"SET", keys::ApiKey(k.key_hash), Str(k.account_id)});
      ++summary.keys;
    }
  }
  for (size_t i = 0; i < writes.size(); i += kChunk) {
    std::vector<redis::Command> chunk(writes.begin() + i, writes.begin() + std::min(writes.size(), i + kChunk));
    if (Status s = RunPipeline(conn, chunk, "API keys"); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace smsgw::ledger
