#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace smsgw::metrics {

// One line of the text exposition format: name{labels} value.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Reads what a /metrics endpoint serves (format 0.0.4): comments and blank lines are skipped,
// label values unescaped (\\, \", \n), timestamps ignored. InvalidArgument naming the line
// when one cannot be read. For smsctl's status and top, which read the daemons' metrics.
Result<std::vector<Sample>> ParseExposition(const std::string& text);

// The samples of one scrape, looked up by name.
class Scrape {
 public:
  Scrape() = default;
  explicit Scrape(std::vector<Sample> samples);

  // The sum of every sample named `name` whose labels include `match`; nullopt when there is
  // no such sample (the metric is not exported, which is not the same as 0).
  std::optional<double> Sum(const std::string& name, const std::map<std::string, std::string>& match = {}) const;
  // The samples named `name`.
  std::vector<const Sample*> All(const std::string& name) const;

 private:
  std::multimap<std::string, Sample> by_name_;
};

}  // namespace smsgw::metrics
