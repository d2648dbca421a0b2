#include "ledger/flusher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "keys/keys.h"
#include "ledger/fault.h"
#include "ledger/lua_scripts.h"
#include "ledger/round.h"

namespace smsgw::ledger {
namespace {

redis::Command Accounts(const char* verb, const std::vector<int64_t>& accounts) {
  redis::Command cmd{verb, keys::kDirtyAccounts};
  for (int64_t a : accounts) cmd.push_back(std::to_string(a));
  return cmd;
}

// The snapshot of an HMGET of ops, held, charged, refunded, released, expired; nullopt for an
// account Redis does not have (a reload puts it back, and marks it).
std::optional<MoneyStore::Snapshot> SnapshotOf(int64_t account, const redis::Reply& r) {
  if (r.elements.size() != 6) return std::nullopt;
  int64_t v[6];
  for (size_t i = 0; i < 6; ++i) {
    Result<int64_t> n = r.elements[i].AsInt();
    if (!n.ok()) return std::nullopt;
    v[i] = *n;
  }
  return MoneyStore::Snapshot{account, v[0], {v[1], v[2], v[3], v[4], v[5]}};
}

}  // namespace

Result<int> Flusher::FlushAll() {
  auto conn = redis_.Acquire();
  std::string cursor = "0";
  int written = 0;
  do {
    Result<redis::Reply> page = conn->Run({"SSCAN", keys::kDirtyAccounts, cursor, "COUNT", std::to_string(kChunk)});
    if (!page.ok()) return page.status();
    if (page->elements.size() != 2) return Status::Internal("SSCAN: unexpected reply");
    cursor = page->elements[0].str;
    std::set<int64_t> ids;
    for (const redis::Reply& m : page->elements[1].elements) {
      Result<int64_t> id = m.AsInt();
      if (id.ok()) ids.insert(*id);
    }
    std::vector<int64_t> accounts(ids.begin(), ids.end());
    for (size_t i = 0; i < accounts.size(); i += kChunk) {
      std::vector<int64_t> chunk(accounts.begin() + i, accounts.begin() + std::min(accounts.size(), i + kChunk));
      Result<int> n = FlushChunk(*conn, chunk);
      if (!n.ok()) return n.status();
      written += *n;
    }
  } while (cursor != "0");
  return written;
}

Result<int> Flusher::FlushChunk(redis::Connection& conn, const std::vector<int64_t>& accounts) {
  std::vector<redis::Command> reads;
  for (int64_t a : accounts) {
    reads.push_back({"HMGET", keys::Account(a), "ops", "held", "charged", "refunded", "released", "expired"});
  }
  Result<std::vector<redis::Reply>> read = conn.Pipeline(reads);
  if (!read.ok()) return read.status();
  if (Status s = redis::PipelineStatus(reads, *read); !s.ok()) return s;
  std::vector<MoneyStore::Snapshot> snapshots;
  std::vector<int64_t> gone;  // marked, but not in Redis
  for (size_t i = 0; i < accounts.size(); ++i) {
    std::optional<MoneyStore::Snapshot> s = SnapshotOf(accounts[i], (*read)[i]);
    if (s) {
      snapshots.push_back(*s);
    } else {
      gone.push_back(accounts[i]);
    }
  }
  CrashIf(Fault::kCrashFlushBeforeCommit);
  Result<std::vector<int64_t>> applied = store_.ApplySnapshots(snapshots);
  if (!applied.ok()) return applied.status();
  CrashIf(Fault::kCrashFlushAfterCommit);

  const std::set<int64_t> written(applied->begin(), applied->end());
  std::vector<int64_t> skipped;
  for (const MoneyStore::Snapshot& s : snapshots) {
    if (written.count(s.account_id) > 0) {
      unflushed_.Flushed(s.account_id, s.ops);
    } else {
      skipped.push_back(s.account_id);
    }
  }
  // PostgreSQL skipped these: it has a flush_seq at least as new. Either another ledger wrote
  // a newer snapshot (this one is stale), or Redis went back (kPassFlushed moves `ops` past
  // it); they stay marked for the next round either way.
  if (!skipped.empty()) {
    Result<std::vector<std::pair<int64_t, int64_t>>> seqs = store_.FlushSeqs(skipped);
    if (!seqs.ok()) return seqs.status();
    Round pass(lua::kPassFlushedScript);
    for (const auto& [account, seq] : *seqs) pass.Invoke({keys::Account(account)}, {std::to_string(seq)});
    Result<std::vector<redis::Reply>> moved = pass.Run(conn);
    if (!moved.ok()) return moved.status();
    for (size_t i = 0; i < seqs->size(); ++i) {
      const redis::Reply& r = (*moved)[i];
      if (r.elements.size() != 2 || r.elements[0].integer != 1) continue;
      const int64_t account = (*seqs)[i].first;
      const Result<int64_t> redis_ops = r.elements[1].AsInt();
      const Unflushed::Lost lost = unflushed_.LostAfter(account, redis_ops.ok() ? *redis_ops : 0);
      spdlog::warn("account {}: Redis is behind PostgreSQL (flush {}); PostgreSQL follows Redis from now{}", account,
                   (*seqs)[i].second, LostText(lost));
    }
  }

  // The marks go only now that PostgreSQL has the counters. A change since the read moved
  // `ops`: its own SADD comes after its script, but may have come before this SREM, so the
  // look at `ops` after the SREM puts such an account back.
  std::vector<int64_t> done(written.begin(), written.end());
  done.insert(done.end(), gone.begin(), gone.end());
  if (done.empty()) return 0;
  std::vector<redis::Command> clear{Accounts("SREM", done)};
  std::vector<const MoneyStore::Snapshot*> looked;
  for (const MoneyStore::Snapshot& s : snapshots) {
    if (written.count(s.account_id) == 0) continue;
    clear.push_back({"HGET", keys::Account(s.account_id), "ops"});
    looked.push_back(&s);
  }
  Result<std::vector<redis::Reply>> cleared = conn.Pipeline(clear);
  if (!cleared.ok()) return cleared.status();
  if (Status s = redis::PipelineStatus(clear, *cleared); !s.ok()) return s;
  CrashIf(Fault::kCrashFlushAfterUnmark);
  std::vector<int64_t> moved;
  for (size_t i = 0; i < looked.size(); ++i) {
    Result<int64_t> ops = (*cleared)[1 + i].AsInt();
    if (!ops.ok() || *ops != looked[i]->ops) moved.push_back(looked[i]->account_id);
  }
  if (!moved.empty()) {
    if (Status s = RunPipeline(conn, {Accounts("SADD", moved)}, "SADD"); !s.ok()) return s;
  }
  return static_cast<int>(written.size());
}

}  // namespace smsgw::ledger
