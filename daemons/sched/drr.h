#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace smsgw::sched {

// Deficit round robin over the active accounts (DESIGN.md section 5, review C2, m10, m22), as
// a plain data structure: no I/O. The ring holds every account of q:active this scheduler has
// seen; a round visits at most `max_streams` of them from a cursor that moves on, so every
// account is visited within ceil(size / max_streams) rounds whatever their number.
//
// Each visit adds quantum x weight to the account's deficit, counted in segments (what the
// operator bills and limits); the account may then read as many messages as its deficit (at
// least one segment each), and what it read is charged in segments afterwards. A message of
// many parts can leave the deficit below zero: the account then waits rounds until the
// quantum has paid it back, so a sender of 255-part messages gets the same operator share as
// one of single parts. An account that had nothing more to read keeps no credit.
//
// Accounts that join (a scan found them) go right after the cursor, behind those that joined
// before them and are not served yet: served next, first come first served (new flows first,
// as fq_codel does), so a small sender waits for no pass over 100,000 others.
// Not thread-safe: the scheduler loop's.
class DrrRing {
 public:
  struct Grant {
    int64_t account;
    int messages;  // to read now; 0: in debt this round (visited, nothing to read)
  };

  // A page of q:active's members from a scan. Returns how many were new.
  int Add(const std::vector<int64_t>& accounts);
  // A full scan ended: accounts not seen by any Add() since the previous EndScan() left
  // q:active; they are dropped.
  void EndScan();
  // An account found empty (it left q:active).
  void Remove(int64_t account);
  // The weight (>= 1) its deficit grows by per visit, as a multiple of the quantum.
  void SetWeight(int64_t account, int weight);

  // The next round: at most `max_streams` accounts from the cursor, each granted what its
  // deficit allows, and `capacity` messages in all, exactly. The cursor moves past the
  // accounts visited; when capacity runs out inside an account's turn it stays on that
  // account, which the next round resumes without a new quantum (so weights hold however
  // small the rounds are); otherwise on the first one not visited.
  std::vector<Grant> Plan(int capacity, int max_streams, int quantum);
  // What `account` read after a grant of `asked` messages: `got` messages of `segments`
  // segments in all.
  void Charge(int64_t account, int asked, int got, int segments);

  size_t size() const { return order_.size() - gone_; }
  // The ring in order, with accounts that left still in place (check contains()).
  const std::vector<int64_t>& order() const { return order_; }
  bool contains(int64_t account) const;
  int64_t deficit(int64_t account) const;

 private:
  struct State {
    int64_t deficit = 0;
    int weight = 1;
    bool seen = true;  // by the scan in progress
    bool gone = false;
    bool mid_turn = false;  // capacity ran out in its turn: the next round resumes it
  };
  void Compact();

  std::vector<int64_t> order_;  // the ring; gone entries stay until Compact()
  std::unordered_map<int64_t, State> state_;
  size_t cursor_ = 0;
  size_t gone_ = 0;
  size_t fresh_ahead_ = 0;  // accounts that joined and are still ahead of the cursor, unvisited
};

}  // namespace smsgw::sched
