#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace smsgw::metrics {

// The three kinds of value a daemon exports. Every update is a relaxed atomic operation, lock
// free, safe from any thread and cheap enough for a hot loop; a scrape reads them without
// stopping writers, so a histogram's count and sum may be one observation apart.

// A count that only goes up (requests, errors, messages).
class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down (queue depth, links bound, a timestamp).
class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted into fixed buckets (latencies in seconds, batch sizes). Observe is a
// binary search over the bounds plus two relaxed atomic adds.
class Histogram {
 public:
  // `bounds`: upper bounds, increasing and finite; the +Inf bucket is implicit.
  explicit Histogram(std::vector<double> bounds);

  void Observe(double value);

  struct Snapshot {
    std::vector<double> bounds;        // as given
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf (== count)
    uint64_t count = 0;
    double sum = 0;
  };
  Snapshot Read() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1, not cumulative
  std::atomic<double> sum_{0};
};

// Bucket bounds for latencies in seconds: 0.5 ms to 10 s, roughly x2.5 apart.
std::vector<double> LatencyBuckets();
// Bucket bounds for sizes (batch items, rows): 1 to 10,000.
std::vector<double> SizeBuckets();

}  // namespace smsgw::metrics
