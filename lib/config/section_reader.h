#pragma once

#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <toml.hpp>
#include <vector>

#include "common/status.h"

namespace smsgw::config {

// Reads one TOML table into a struct, remembering which keys it consumed so that Finish() can
// refuse the ones nobody asked for (a typo must not silently fall back to a default).
// The first error wins; later calls are no-ops once an error is recorded.
class SectionReader {
 public:
  // `table` may be null: the section is absent and every key takes its default.
  SectionReader(const toml::value* table, std::string path) : table_(table), path_(std::move(path)) {}

  template <typename T>
  void Optional(const std::string& key, T& out) {
    Read(key, out, false);
  }

  template <typename T>
  void Required(const std::string& key, T& out) {
    Read(key, out, true);
  }

  void Check(bool condition, const std::string& key, const std::string& what) {
    if (status_.ok() && !condition) status_ = Status::InvalidArgument(Name(key) + ": " + what);
  }

  // The keys asked for so far, in order (config::KeyNames()).
  const std::vector<std::string>& keys() const { return order_; }

  Status Finish() {
    if (!status_.ok() || table_ == nullptr) return status_;
    for (const auto& [key, _] : table_->as_table()) {
      if (seen_.count(key) == 0) return Status::InvalidArgument(Name(key) + ": unknown key");
    }
    return status_;
  }

 private:
  std::string Name(const std::string& key) const { return path_ + "." + key; }

  template <typename T>
  void Read(const std::string& key, T& out, bool required) {
    if (seen_.insert(key).second) order_.push_back(key);
    if (!status_.ok()) return;
    if (table_ == nullptr || !table_->contains(key)) {
      if (required) status_ = Status::InvalidArgument(Name(key) + ": required key is missing");
      return;
    }
    try {
      if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        // toml11 3.7's get<int> is a plain static_cast of the file's int64: 4294973675 would
        // become 6379. Read the full value and refuse what the field cannot hold.
        const auto wide = toml::get<std::int64_t>(table_->at(key));
        const bool too_small = wide < static_cast<std::int64_t>(std::numeric_limits<T>::min());
        const bool too_big =
            wide > 0 && static_cast<std::uint64_t>(wide) > static_cast<std::uint64_t>(std::numeric_limits<T>::max());
        if (too_small || too_big) {
          status_ = Status::InvalidArgument(Name(key) + ": " + std::to_string(wide) + " is out of range");
          return;
        }
        out = static_cast<T>(wide);
      } else {
        out = toml::get<T>(table_->at(key));
      }
    } catch (const std::exception&) {
      status_ = Status::InvalidArgument(Name(key) + ": wrong type (expected " + TypeName<T>() + ")");
    }
  }

  template <typename T>
  static std::string TypeName() {
    if constexpr (std::is_same_v<T, std::string>) return "a string";
    else if constexpr (std::is_same_v<T, bool>) return "true or false";
    else if constexpr (std::is_integral_v<T>) return "an integer";
    else if constexpr (std::is_floating_point_v<T>) return "a number";
    else return "an array of strings";
  }

  const toml::value* table_;
  std::string path_;
  std::set<std::string> seen_;
  std::vector<std::string> order_;
  Status status_;
};

}  // namespace smsgw::config
