#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace smsgw::bench {

// The value at quantile q (0..1) of `values` by nearest rank; `values` must be sorted and not empty.
double Quantile(const std::vector<double>& sorted, double q);

// "p50 3.1 p90 5.2 p99 9.8 max 20.1" for the (unsorted) samples, one decimal; "none" if empty.
std::string Summary(std::vector<double> values);

// Milliseconds since the epoch of an RFC 3339 UTC time with milliseconds as the API writes it
// ("2024-11-25T14:09:00.123Z"); nullopt for anything else.
std::optional<int64_t> ParseRfc3339Ms(const std::string& text);

}  // namespace smsgw::bench
