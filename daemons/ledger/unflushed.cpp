#include "ledger/unflushed.h"

namespace smsgw::ledger {

void Unflushed::Debited(int64_t account, int64_t ops, int64_t cost, int64_t now_ms) {
  std::lock_guard lock(mu_);
  std::deque<Debit>& debits = by_account_[account];
  while (!debits.empty() && debits.front().at_ms < now_ms - kKeepMs) debits.pop_front();
  debits.push_back({ops, cost, now_ms});
}

void Unflushed::Flushed(int64_t account, int64_t ops) {
  std::lock_guard lock(mu_);
  auto it = by_account_.find(account);
  if (it == by_account_.end()) return;
  std::deque<Debit>& debits = it->second;
  while (!debits.empty() && debits.front().ops <= ops) debits.pop_front();
  if (debits.empty()) by_account_.erase(it);
}

Unflushed::Lost Unflushed::LostAfter(int64_t account, int64_t ops) {
  std::lock_guard lock(mu_);
  Lost lost;
  auto it = by_account_.find(account);
  if (it == by_account_.end()) return lost;
  for (const Debit& d : it->second) {
    if (d.ops <= ops) continue;
    lost.amount += d.cost;
    ++lost.debits;
  }
  by_account_.erase(it);
  return lost;
}

std::string LostText(const Unflushed::Lost& lost) {
  if (lost.amount == 0) return "";
  return "; at least " + std::to_string(lost.amount) + " of debits by this ledger (" + std::to_string(lost.debits) +
         " messages) were lost";
}

}  // namespace smsgw::ledger
