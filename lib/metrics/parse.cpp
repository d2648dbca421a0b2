#include "metrics/parse.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace smsgw::metrics {
namespace {

bool NameChar(char c, bool first) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':' ||
         (!first && std::isdigit(static_cast<unsigned char>(c)));
}

// Parses `line` into `out`; false when it is not a sample line.
bool ParseLine(const std::string& line, Sample& out) {
  size_t i = 0;
  while (i < line.size() && NameChar(line[i], i == 0)) ++i;
  if (i == 0) return false;
  out.name = line.substr(0, i);
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      const size_t eq = line.find('=', i);
      if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') return false;
      std::string label = line.substr(i, eq - i);
      std::string value;
      size_t j = eq + 2;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size()) {
          ++j;
          value += line[j] == 'n' ? '\n' : line[j];
        } else {
          value += line[j];
        }
      }
      if (j >= line.size()) return false;
      out.labels[label] = value;
      i = j + 1;
      if (i < line.size() && line[i] == ',') ++i;
    }
    if (i >= line.size()) return false;
    ++i;  // '}'
  }
  while (i < line.size() && line[i] == ' ') ++i;
  const std::string number = line.substr(i, line.find(' ', i) - i);
  if (number == "+Inf") {
    out.value = HUGE_VAL;
  } else if (number == "-Inf") {
    out.value = -HUGE_VAL;
  } else {
    char* end = nullptr;
    out.value = std::strtod(number.c_str(), &end);
    if (number.empty() || end != number.c_str() + number.size()) return false;
  }
  return true;
}

}  // namespace

Result<std::vector<Sample>> ParseExposition(const std::string& text) {
  std::vector<Sample> samples;
  size_t start = 0;
  int line_no = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    Sample s;
    if (!ParseLine(line, s)) {
      return Status::InvalidArgument("metrics line " + std::to_string(line_no) + " cannot be read: " + line);
    }
    samples.push_back(std::move(s));
  }
  return samples;
}

Scrape::Scrape(std::vector<Sample> samples) {
  for (Sample& s : samples) by_name_.emplace(s.name, std::move(s));
}

std::optional<double> Scrape::Sum(const std::string& name, const std::map<std::string, std::string>& match) const {
  std::optional<double> total;
  auto [first, last] = by_name_.equal_range(name);
  for (auto it = first; it != last; ++it) {
    bool matches = true;
    for (const auto& [label, value] : match) {
      auto l = it->second.labels.find(label);
      matches = matches && l != it->second.labels.end() && l->second == value;
    }
    if (matches) total = total.value_or(0) + it->second.value;
  }
  return total;
}

std::vector<const Sample*> Scrape::All(const std::string& name) const {
  std::vector<const Sample*> out;
  auto [first, last] = by_name_.equal_range(name);
  for (auto it = first; it != last; ++it) out.push_back(&it->second);
  return out;
}

}  // namespace smsgw::metrics
