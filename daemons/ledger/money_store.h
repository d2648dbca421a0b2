#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "ledger/account_store.h"
#include "pg/pg.h"

namespace smsgw::ledger {

// The ledger's money in PostgreSQL: the top-up journal and the flushed balances.
// Thread-safe (each call takes a connection from the pool).
class MoneyStore {
 public:
  explicit MoneyStore(pg::Pool& pool) : pool_(pool) {}

  // An account as a reload of Redis needs it: settings and durable balance.
  struct Account {
    AccountStore::Settings settings;
    int64_t balance = 0;
  };
  struct TopUp {
    int64_t account_id = 0;
    std::string reference;
    int64_t amount = 0;
    bool duplicate = false;  // the reference was recorded before this call
    bool applied = false;    // Redis has it already
  };
  struct Flush {
    std::string flush_id;
    int64_t account_id = 0;
    int64_t amount = 0;
  };

  // Records a top-up and adds it to the durable balance, once per (account, reference).
  // kNotFound for an unknown account; kConflict if the reference was used with another amount.
  Result<TopUp> RecordTopUp(int64_t account_id, const std::string& reference, int64_t amount);
  Status MarkTopUpApplied(int64_t account_id, const std::string& reference);
  Status MarkAllTopUpsApplied(const std::vector<int64_t>& account_ids);
  Result<std::vector<TopUp>> PendingTopUps();

  Result<std::vector<Account>> LoadAccounts();

  // Adds each flush's amount to its account's durable balance; a flush id already recorded
  // is skipped, so re-applying a flush after a crash never counts it twice.
  Status ApplyFlushes(const std::vector<Flush>& flushes);

 private:
  pg::Pool& pool_;
};

}  // namespace smsgw::ledger
