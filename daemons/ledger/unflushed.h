#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace smsgw::ledger {

// The debits this ledger made that PostgreSQL may not have yet: what a Redis that loses its
// data, or goes back in time, takes with it. Kept per account with the `ops` each debit left
// (lua_scripts.h), forgotten once a flush or a comparison shows that PostgreSQL has that `ops`,
// and after kKeepMs at the latest (memory stays bounded when another ledger does the flushing).
// Only this process's debits are known: the log of a loss names them as "at least". Thread-safe.
class Unflushed {
 public:
  static constexpr int64_t kKeepMs = 60000;

  void Debited(int64_t account, int64_t ops, int64_t cost, int64_t now_ms);
  // PostgreSQL has every change of the account up to `ops`.
  void Flushed(int64_t account, int64_t ops);

  struct Lost {
    int64_t amount = 0;
    int64_t debits = 0;
  };
  // Redis no longer has the account's changes after `ops`: what this ledger debited after it,
  // which is then forgotten.
  Lost LostAfter(int64_t account, int64_t ops);

 private:
  struct Debit {
    int64_t ops;
    int64_t cost;
    int64_t at_ms;
  };
  std::mutex mu_;
  std::unordered_map<int64_t, std::deque<Debit>> by_account_;  // each in `ops` order
};

// "; at least <amount> of debits by this ledger (<n> messages) were lost", or "" for nothing.
std::string LostText(const Unflushed::Lost& lost);

}  // namespace smsgw::ledger
