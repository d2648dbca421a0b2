#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

// What smsgw-bench-report-lag measures: for a sample of messages, when each of their three
// events was added to the stream and when PostgreSQL first showed that status (or a later one).
namespace smsgw::bench {

using Clock = std::chrono::steady_clock;

// The three events of a benchmark message, in rank order.
enum Stage { kAccepted = 0, kSubmitted = 1, kDelivered = 2 };
inline constexpr int kStages = 3;
inline constexpr const char* kStageNames[kStages] = {"accepted", "submitted", "delivered"};

struct Sample {
  std::string id;
  int64_t created_ms = 0;
  std::array<Clock::time_point, kStages> added{};  // just before the XADD was sent
  std::array<Clock::time_point, kStages> seen{};   // when a poll first returned this or later
  std::array<bool, kStages> has_added{};
  std::array<bool, kStages> has_seen{};
};

// The sampled messages, shared by the loader (which adds them and their XADD times) and the
// watcher (which marks what PostgreSQL shows). Thread-safe; every method takes the lock once.
class SampleBook {
 public:
  // A new sample; its index, for Added() and Seen().
  size_t Add(std::string id, int64_t created_ms) {
    std::lock_guard lock(mu_);
    samples_.push_back(Sample{std::move(id), created_ms});
    return samples_.size() - 1;
  }
  void Added(size_t index, Stage stage, Clock::time_point at) {
    std::lock_guard lock(mu_);
    samples_[index].added[stage] = at;
    samples_[index].has_added[stage] = true;
  }
  // The oldest `max` samples with an event added but not yet seen: (index, id), plus the range
  // of their created_ms.
  std::vector<std::pair<size_t, std::string>> Outstanding(size_t max, int64_t* min_created_ms,
                                                          int64_t* max_created_ms) {
    std::lock_guard lock(mu_);
    std::vector<std::pair<size_t, std::string>> out;
    *min_created_ms = INT64_MAX;
    *max_created_ms = 0;
    for (size_t i = first_open_; i < samples_.size() && out.size() < max; ++i) {
      const Sample& s = samples_[i];
      bool open = false;
      for (int k = 0; k < kStages; ++k) open |= s.has_added[k] && !s.has_seen[k];
      if (!open) continue;
      out.emplace_back(i, s.id);
      *min_created_ms = std::min(*min_created_ms, s.created_ms);
      *max_created_ms = std::max(*max_created_ms, s.created_ms);
    }
    // Samples are added in time order and finish in about that order: skip the finished head.
    while (first_open_ < samples_.size() && Done(samples_[first_open_])) ++first_open_;
    return out;
  }
  // PostgreSQL showed `stage` (rank order) for sample `index` at `at`: every stage up to it that
  // was already added counts as seen now. A status seen before its event was added (cannot
  // happen with this load) is ignored.
  void Seen(size_t index, Stage stage, Clock::time_point at) {
    std::lock_guard lock(mu_);
    Sample& s = samples_[index];
    for (int k = 0; k <= stage; ++k) {
      if (s.has_added[k] && !s.has_seen[k]) {
        s.seen[k] = at;
        s.has_seen[k] = true;
      }
    }
  }
  std::vector<Sample> Snapshot() {
    std::lock_guard lock(mu_);
    return samples_;
  }
  // Every event of every sample added so far has been seen.
  bool AllSeen() {
    std::lock_guard lock(mu_);
    for (size_t i = first_open_; i < samples_.size(); ++i) {
      if (!Done(samples_[i])) return false;
    }
    return true;
  }

 private:
  static bool Done(const Sample& s) {
    for (int k = 0; k < kStages; ++k) {
      if (!s.has_added[k] || !s.has_seen[k]) return false;
    }
    return true;
  }

  std::mutex mu_;
  std::vector<Sample> samples_;  // GUARDED_BY(mu_)
  size_t first_open_ = 0;        // GUARDED_BY(mu_): samples before it are done
};

}  // namespace smsgw::bench
