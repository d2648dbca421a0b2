#pragma once

#include <vector>

namespace smsgw::bench {

// The value at quantile q (0..1) of `sorted` by nearest rank; `sorted` must not be empty.
double Quantile(const std::vector<double>& sorted, double q);

}  // namespace smsgw::bench
