#pragma once

#include <prometheus/metric_family.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "metrics/metric_types.h"

namespace smsgw::metrics {

using LabelValues = std::vector<std::string>;
using LabelPairs = std::vector<std::pair<std::string, std::string>>;

// One metric name with its label names, and a child metric per combination of label values.
// Labels() finds or makes the child under a reader/writer lock; the reference it returns stays
// valid for the process's life, so hot paths look a child up once and keep it.
template <typename T>
class Family {
 public:
  Family(std::vector<std::string> label_names, std::function<std::unique_ptr<T>()> make)
      : label_names_(std::move(label_names)), make_(std::move(make)) {}

  // `values` in the order of the label names given at registration; missing values are empty
  // and extra ones are dropped (a caller's bug must not crash a daemon).
  T& Labels(LabelValues values) {
    values.resize(label_names_.size());
    {
      std::shared_lock lock(mu_);
      if (auto it = children_.find(values); it != children_.end()) return *it->second;
    }
    std::unique_lock lock(mu_);
    auto& slot = children_[std::move(values)];
    if (!slot) slot = make_();
    return *slot;
  }
  // The child without labels.
  T& Get() { return Labels({}); }

  const std::vector<std::string>& label_names() const { return label_names_; }
  // Calls fn(values, child) for every child, under the reader lock.
  template <typename Fn>
  void ForEach(Fn fn) const {
    std::shared_lock lock(mu_);
    for (const auto& [values, child] : children_) fn(values, *child);
  }

 private:
  std::vector<std::string> label_names_;
  std::function<std::unique_ptr<T>()> make_;
  mutable std::shared_mutex mu_;
  std::map<LabelValues, std::unique_ptr<T>> children_;
};

// Every metric of a process. Registering a name again returns the family already there, so a
// library may register the metrics it updates wherever it first needs them; registering it
// with another type or other label names is a bug and throws std::logic_error, as does a name
// that Prometheus would refuse. Thread-safe.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Family<Counter>& AddCounter(const std::string& name, const std::string& help, std::vector<std::string> labels = {});
  Family<Gauge>& AddGauge(const std::string& name, const std::string& help, std::vector<std::string> labels = {});
  Family<Histogram>& AddHistogram(const std::string& name, const std::string& help, std::vector<std::string> labels,
                                  std::vector<double> bounds);

  // Everything, families sorted by name: what /metrics serves.
  std::vector<prometheus::MetricFamily> Collect() const;
  // Collect() in the Prometheus text exposition format 0.0.4.
  std::string Expose() const;

 private:
  friend class ScrapeCallbacks;
  struct Entry;
  struct Callback {
    const void* owner;
    std::string name;
    std::string help;
    bool counter;
    LabelPairs labels;
    std::function<double()> read;
  };
  Entry& Find(const std::string& name, const std::string& help, int kind, const std::vector<std::string>& labels);
  void AddCallback(Callback callback);
  void RemoveCallbacks(const void* owner);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Entry>> entries_;
  std::vector<Callback> callbacks_;
};

// The registry every smsgw library and daemon records into; /metrics serves it. Never
// destroyed, so a thread still recording at exit is safe.
Registry& Default();

// Values kept elsewhere (a link's atomic counters, the depth of a queue), read when /metrics
// is scraped. They stay registered until this object is destroyed, and are never called after
// its destructor returns, so it should live in the scope of what they read. The functions run
// on the scrape thread and must be thread-safe. Several owners may add to one name (a metric
// per operator link) as long as their labels differ.
class ScrapeCallbacks {
 public:
  explicit ScrapeCallbacks(Registry& registry = Default()) : registry_(registry) {}
  ~ScrapeCallbacks() { registry_.RemoveCallbacks(this); }
  ScrapeCallbacks(const ScrapeCallbacks&) = delete;
  ScrapeCallbacks& operator=(const ScrapeCallbacks&) = delete;

  void Counter(const std::string& name, const std::string& help, LabelPairs labels, std::function<double()> read);
  void Gauge(const std::string& name, const std::string& help, LabelPairs labels, std::function<double()> read);

 private:
  Registry& registry_;
};

}  // namespace smsgw::metrics
