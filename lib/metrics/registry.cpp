#include "metrics/registry.h"

#include <prometheus/check_names.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <variant>

namespace smsgw::metrics {
namespace {

enum Kind { kCounter, kGauge, kHistogram };

void CheckNames(const std::string& name, const std::vector<std::string>& labels) {
  if (!prometheus::CheckMetricName(name)) throw std::logic_error("metrics: bad metric name '" + name + "'");
  for (const std::string& l : labels) {
    if (!prometheus::CheckLabelName(l) || l == "le") {
      throw std::logic_error("metrics: bad label name '" + l + "' of " + name);
    }
  }
}

// HELP text as format 0.0.4 wants it: backslash and line feed escaped. prometheus-cpp 1.0.1's
// serializer writes it as given (label values it does escape).
std::string EscapeHelp(const std::string& help) {
  std::string out;
  for (char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::vector<prometheus::ClientMetric::Label> PromLabels(const std::vector<std::string>& names,
                                                        const LabelValues& values) {
  std::vector<prometheus::ClientMetric::Label> out;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) out.push_back({names[i], values[i]});
  return out;
}

}  // namespace

struct Registry::Entry {
  std::string help;
  Kind kind;
  std::vector<std::string> labels;
  std::variant<std::unique_ptr<Family<metrics::Counter>>, std::unique_ptr<Family<metrics::Gauge>>,
               std::unique_ptr<Family<Histogram>>>
      family;
};

Registry::Registry() = default;
Registry::~Registry() = default;

Registry::Entry& Registry::Find(const std::string& name, const std::string& help, int kind,
                                const std::vector<std::string>& labels) {
  // Called with mu_ held.
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    CheckNames(name, labels);
    auto entry = std::make_unique<Entry>();
    entry->help = help;
    entry->kind = static_cast<Kind>(kind);
    entry->labels = labels;
    it = entries_.emplace(name, std::move(entry)).first;
  } else if (it->second->kind != kind || it->second->labels != labels) {
    throw std::logic_error("metrics: " + name + " registered again with another type or labels");
  }
  return *it->second;
}

Family<Counter>& Registry::AddCounter(const std::string& name, const std::string& help,
                                      std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  Entry& e = Find(name, help, kCounter, labels);
  if (e.family.index() != 0 || !std::get<0>(e.family)) {
    e.family = std::make_unique<Family<metrics::Counter>>(labels, [] { return std::make_unique<metrics::Counter>(); });
    if (labels.empty()) std::get<0>(e.family)->Get();  // exported as 0 from the start
  }
  return *std::get<0>(e.family);
}

Family<Gauge>& Registry::AddGauge(const std::string& name, const std::string& help, std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  Entry& e = Find(name, help, kGauge, labels);
  if (e.family.index() != 1) {
    e.family = std::make_unique<Family<metrics::Gauge>>(labels, [] { return std::make_unique<metrics::Gauge>(); });
    if (labels.empty()) std::get<1>(e.family)->Get();
  }
  return *std::get<1>(e.family);
}

Family<Histogram>& Registry::AddHistogram(const std::string& name, const std::string& help,
                                          std::vector<std::string> labels, std::vector<double> bounds) {
  if (!std::is_sorted(bounds.begin(), bounds.end()) || bounds.empty()) {
    throw std::logic_error("metrics: " + name + ": bucket bounds must be increasing");
  }
  std::lock_guard lock(mu_);
  Entry& e = Find(name, help, kHistogram, labels);
  if (e.family.index() != 2) {
    e.family = std::make_unique<Family<Histogram>>(labels, [bounds] { return std::make_unique<Histogram>(bounds); });
    if (labels.empty()) std::get<2>(e.family)->Get();
  }
  return *std::get<2>(e.family);
}

void Registry::AddCallback(Callback callback) {
  CheckNames(callback.name, {});
  for (const auto& [label, _] : callback.labels) CheckNames(callback.name, {label});
  std::lock_guard lock(mu_);
  callbacks_.push_back(std::move(callback));
}

void Registry::RemoveCallbacks(const void* owner) {
  // Under mu_, which Collect holds while it calls them: once this returns, none runs.
  std::lock_guard lock(mu_);
  std::erase_if(callbacks_, [owner](const Callback& c) { return c.owner == owner; });
}

std::vector<prometheus::MetricFamily> Registry::Collect() const {
  std::map<std::string, prometheus::MetricFamily> out;
  std::lock_guard lock(mu_);
  for (const auto& named : entries_) {
    // Plain references, not structured bindings: lambdas below use them (clang < 16).
    const std::string& name = named.first;
    const std::unique_ptr<Entry>& entry = named.second;
    prometheus::MetricFamily& f = out[name];
    f.name = name;
    f.help = EscapeHelp(entry->help);
    if (entry->kind == kCounter) {
      f.type = prometheus::MetricType::Counter;
      std::get<0>(entry->family)->ForEach([&](const LabelValues& values, const metrics::Counter& c) {
        prometheus::ClientMetric m;
        m.label = PromLabels(entry->labels, values);
        m.counter.value = static_cast<double>(c.value());
        f.metric.push_back(std::move(m));
      });
    } else if (entry->kind == kGauge) {
      f.type = prometheus::MetricType::Gauge;
      std::get<1>(entry->family)->ForEach([&](const LabelValues& values, const metrics::Gauge& g) {
        prometheus::ClientMetric m;
        m.label = PromLabels(entry->labels, values);
        m.gauge.value = g.value();
        f.metric.push_back(std::move(m));
      });
    } else {
      f.type = prometheus::MetricType::Histogram;
      std::get<2>(entry->family)->ForEach([&](const LabelValues& values, const Histogram& h) {
        const Histogram::Snapshot s = h.Read();
        prometheus::ClientMetric m;
        m.label = PromLabels(entry->labels, values);
        m.histogram.sample_count = s.count;
        m.histogram.sample_sum = s.sum;
        for (size_t i = 0; i < s.bounds.size(); ++i) m.histogram.bucket.push_back({s.cumulative[i], s.bounds[i]});
        m.histogram.bucket.push_back({s.count, std::numeric_limits<double>::infinity()});
        f.metric.push_back(std::move(m));
      });
    }
  }
  for (const Callback& c : callbacks_) {
    prometheus::MetricFamily& f = out[c.name];
    f.name = c.name;
    if (f.help.empty()) f.help = EscapeHelp(c.help);
    f.type = c.counter ? prometheus::MetricType::Counter : prometheus::MetricType::Gauge;
    prometheus::ClientMetric m;
    for (const auto& [label, value] : c.labels) m.label.push_back({label, value});
    (c.counter ? m.counter.value : m.gauge.value) = c.read();
    f.metric.push_back(std::move(m));
  }
  std::vector<prometheus::MetricFamily> families;
  families.reserve(out.size());
  for (auto& [name, f] : out) {
    // A family registered but never given a child (a labelled metric nothing happened to yet)
    // is left out: Prometheus has nothing to plot for it.
    if (!f.metric.empty()) families.push_back(std::move(f));
  }
  return families;
}

std::string Registry::Expose() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, Collect());
  return out.str();
}

void ScrapeCallbacks::Counter(const std::string& name, const std::string& help, LabelPairs labels,
                              std::function<double()> read) {
  registry_.AddCallback({this, name, help, true, std::move(labels), std::move(read)});
}

void ScrapeCallbacks::Gauge(const std::string& name, const std::string& help, LabelPairs labels,
                            std::function<double()> read) {
  registry_.AddCallback({this, name, help, false, std::move(labels), std::move(read)});
}

Registry& Default() {
  static Registry* registry = new Registry;  // never destroyed: see the header
  return *registry;
}

}  // namespace smsgw::metrics
