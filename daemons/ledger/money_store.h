#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "ledger/account_store.h"
#include "pg/pg.h"

namespace smsgw::ledger {

// The ledger's money in PostgreSQL: the top-up journal, the counters flushed from Redis, and
// the hourly activity (migration 0021, lua_scripts.h). Thread-safe (each call takes a
// connection from the pool).
class MoneyStore {
 public:
  explicit MoneyStore(pg::Pool& pool) : pool_(pool) {}

  // Redis's money counters (lua_scripts.h).
  struct Counters {
    int64_t held = 0;
    int64_t charged = 0;
    int64_t refunded = 0;
    int64_t released = 0;
    int64_t expired = 0;
  };
  // An account as PostgreSQL has it: what reloading or checking Redis needs.
  struct Durable {
    AccountStore::Settings settings;
    int64_t balance = 0;
    Counters counters;
    int64_t topped_up = 0;
    int64_t topup_seq = 0;  // top-ups recorded
    int64_t flush_seq = 0;  // Redis's `ops` when the counters were read
    int64_t flushed_at_ms = 0;
  };
  // Counters read from Redis at change counter `ops`.
  struct Snapshot {
    int64_t account_id = 0;
    int64_t ops = 0;
    Counters counters;
  };
  struct TopUp {
    int64_t account_id = 0;
    std::string reference;
    int64_t amount = 0;
    int64_t seq = 0;         // within the account, from 1, without gaps
    bool duplicate = false;  // the reference was recorded before this call
  };

  // Records a top-up and adds it to the durable balance, once per (account, reference).
  // kNotFound for an unknown account; kConflict if the reference was used with another amount.
  Result<TopUp> RecordTopUp(int64_t account_id, const std::string& reference, int64_t amount);
  // Notes that Redis has these top-ups: only a hint for NotApplied, which finds the others
  // (Redis's own topup_seq decides whether one is applied).
  Status MarkApplied(const std::vector<TopUp>& topups);
  // Up to `limit` top-ups not yet noted as applied, oldest account and seq first.
  Result<std::vector<TopUp>> NotApplied(int limit);
  // The account's top-ups with a sequence number above `seq`.
  Result<std::vector<TopUp>> TopUpsAfter(int64_t account_id, int64_t seq);

  // Up to `limit` accounts with an id above `after_id`, in id order.
  Result<std::vector<Durable>> LoadAccounts(int64_t after_id, int limit);

  // One entry of the journal (HistoryEntry), with its place in the order: newest first by
  // time (µs), then rank (topup 5, expiry 4, refund 3, charge 2, debit 1), then tiebreak.
  struct Entry {
    int64_t at_us = 0;
    int rank = 0;
    int64_t tiebreak = 0;
    std::string kind;
    int64_t amount = 0;
    std::string reference;
  };
  struct Position {
    int64_t at_us = 0;
    int rank = 0;
    int64_t tiebreak = 0;
  };
  // Up to `limit` entries of the account's journal that come after `before` in that order
  // (nullopt: from the newest). kNotFound for an unknown account.
  Result<std::vector<Entry>> History(int64_t account_id, const std::optional<Position>& before, int limit);

  // An account's books as PostgreSQL has them, the top-ups summed from the journal.
  struct Books {
    int64_t account_id = 0;
    int64_t topups = 0;
    int64_t balance = 0;
    int64_t held = 0;
    int64_t charged = 0;
    int64_t refunded = 0;
    int64_t topup_seq = 0;
  };
  // Up to `limit` accounts with an id above `after_id`, in id order, each read in one snapshot.
  Result<std::vector<Books>> LoadBooks(int64_t after_id, int limit);

  // Writes each snapshot whose `ops` is newer than the account's flush_seq (counters, the
  // balance they imply, flush_seq, and the movements into ledger_activity), in one statement.
  // Returns the accounts written; the others had a newer or equal flush_seq already.
  Result<std::vector<int64_t>> ApplySnapshots(const std::vector<Snapshot>& snapshots);
  // The flush_seq of each account (absent: no such account).
  Result<std::vector<std::pair<int64_t, int64_t>>> FlushSeqs(const std::vector<int64_t>& account_ids);

 private:
  pg::Pool& pool_;
};

}  // namespace smsgw::ledger
