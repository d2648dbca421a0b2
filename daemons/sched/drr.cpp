#include "sched/drr.h"

#include <algorithm>

namespace smsgw::sched {

int DrrRing::Add(const std::vector<int64_t>& accounts) {
  std::vector<int64_t> fresh;
  for (int64_t a : accounts) {
    auto [it, inserted] = state_.try_emplace(a);
    if (!inserted && !it->second.gone) {
      it->second.seen = true;
      continue;
    }
    if (!inserted) {  // it left and came back: a new flow again
      it->second = State{};
      --gone_;
      // Its old place in order_ is still there (gone); mark it live where it was.
      continue;
    }
    fresh.push_back(a);
  }
  if (cursor_ > order_.size()) cursor_ = order_.size();
  // Behind the ones that joined before and wait for their first visit, wrapping as the ring does.
  fresh_ahead_ = std::min(fresh_ahead_, order_.size());
  size_t at = cursor_ + fresh_ahead_;
  if (at > order_.size()) at -= order_.size();
  order_.insert(order_.begin() + static_cast<std::ptrdiff_t>(at), fresh.begin(), fresh.end());
  if (at < cursor_) cursor_ += fresh.size();  // inserted before the cursor (wrapped): it keeps its account
  fresh_ahead_ += fresh.size();
  return static_cast<int>(fresh.size());
}

void DrrRing::EndScan() {
  for (auto& [account, st] : state_) {
    if (!st.seen && !st.gone) {
      st.gone = true;
      ++gone_;
    }
    st.seen = false;
  }
  Compact();
}

void DrrRing::Remove(int64_t account) {
  auto it = state_.find(account);
  if (it == state_.end() || it->second.gone) return;
  it->second.gone = true;
  ++gone_;
  if (gone_ > 64 && gone_ * 2 > order_.size()) Compact();
}

void DrrRing::SetWeight(int64_t account, int weight) {
  auto it = state_.find(account);
  if (it != state_.end()) it->second.weight = std::max(1, weight);
}

bool DrrRing::contains(int64_t account) const {
  auto it = state_.find(account);
  return it != state_.end() && !it->second.gone;
}

int64_t DrrRing::deficit(int64_t account) const {
  auto it = state_.find(account);
  return it == state_.end() ? 0 : it->second.deficit;
}

void DrrRing::Compact() {
  std::vector<int64_t> live;
  live.reserve(order_.size() - gone_);
  size_t new_cursor = 0;
  for (size_t i = 0; i < order_.size(); ++i) {
    if (i == cursor_) new_cursor = live.size();
    auto it = state_.find(order_[i]);
    if (it == state_.end() || it->second.gone) continue;
    live.push_back(order_[i]);
  }
  if (cursor_ >= order_.size()) new_cursor = live.size();
  for (auto it = state_.begin(); it != state_.end();) {
    it = it->second.gone ? state_.erase(it) : std::next(it);
  }
  order_ = std::move(live);
  cursor_ = order_.empty() ? 0 : new_cursor % order_.size();
  gone_ = 0;
  fresh_ahead_ = std::min(fresh_ahead_, order_.size());
}

std::vector<DrrRing::Grant> DrrRing::Plan(int capacity, int max_streams, int quantum) {
  std::vector<Grant> out;
  if (order_.empty() || capacity <= 0 || max_streams <= 0) return out;
  if (cursor_ >= order_.size()) cursor_ = 0;
  int visited = 0;
  int left = capacity;
  // One lap at most: an account is not visited twice in a round.
  for (size_t step = 0; step < order_.size() && visited < max_streams && left > 0; ++step) {
    const size_t here = cursor_;
    const int64_t account = order_[cursor_];
    State& st = state_[account];
    cursor_ = (cursor_ + 1) % order_.size();
    const bool was_fresh = fresh_ahead_ > 0;
    if (was_fresh) --fresh_ahead_;
    if (st.gone) continue;
    ++visited;
    if (!st.mid_turn) st.deficit += int64_t{quantum} * st.weight;
    st.mid_turn = false;
    const int n = st.deficit > 0 ? static_cast<int>(std::min<int64_t>(st.deficit, left)) : 0;
    left -= n;
    out.push_back({account, n});
    if (left == 0 && st.deficit > n) {
      // The round's capacity ran out inside this account's turn: the next round resumes it
      // with what is left of its deficit and no new quantum. Moving on instead would give
      // every account the same `capacity` per visit whatever its weight, and let the unused
      // deficit pile up into a burst.
      st.mid_turn = true;
      cursor_ = here;
      if (was_fresh) ++fresh_ahead_;
    }
  }
  return out;
}

void DrrRing::Charge(int64_t account, int asked, int got, int segments) {
  auto it = state_.find(account);
  if (it == state_.end()) return;
  State& st = it->second;
  st.deficit -= std::max(segments, got);
  // Nothing more queued: no credit is kept for later (classic DRR resets an emptied queue).
  if (got < asked) {
    if (st.deficit > 0) st.deficit = 0;
    st.mid_turn = false;
  }
}

}  // namespace smsgw::sched
