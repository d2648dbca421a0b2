#include "stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace smsgw::bench {

double Quantile(const std::vector<double>& sorted, double q) {
  const double rank = std::ceil(q * static_cast<double>(sorted.size()));
  const size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return sorted[std::min(index, sorted.size() - 1)];
}

std::string Summary(std::vector<double> values) {
  if (values.empty()) return "none";
  std::sort(values.begin(), values.end());
  char buf[160];
  std::snprintf(buf, sizeof buf, "p50 %.1f p90 %.1f p99 %.1f max %.1f", Quantile(values, 0.50),
                Quantile(values, 0.90), Quantile(values, 0.99), values.back());
  return buf;
}

std::optional<int64_t> ParseRfc3339Ms(const std::string& text) {
  std::tm tm{};
  int millis = 0;
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &millis, &consumed) != 7 ||
      static_cast<size_t>(consumed) != text.size()) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + millis;
}

}  // namespace smsgw::bench
