#pragma once

#include <algorithm>
#include <cstdint>

namespace smsgw::sched {

// When to try a failed step again: not before a pause that doubles with every failure in a
// row, from `first_ms` up to `max_ms`, and is forgotten on the first success. Loop thread only.
class Pause {
 public:
  explicit Pause(int64_t first_ms = 50, int64_t max_ms = 2000) : first_ms_(first_ms), max_ms_(max_ms) {}

  bool Ready(int64_t now_ms) const { return now_ms >= next_ms_; }
  int64_t next_ms() const { return next_ms_; }
  int failures() const { return failures_; }

  void Failed(int64_t now_ms) {
    delay_ms_ = failures_ == 0 ? first_ms_ : std::min(max_ms_, delay_ms_ * 2);
    ++failures_;
    next_ms_ = now_ms + delay_ms_;
  }
  void Succeeded() {
    failures_ = 0;
    next_ms_ = 0;
  }

 private:
  int64_t first_ms_;
  int64_t max_ms_;
  int64_t delay_ms_ = 0;
  int64_t next_ms_ = 0;
  int failures_ = 0;
};

}  // namespace smsgw::sched
