#pragma once

#include <string>
#include <vector>

namespace smsgw::sched {

enum class Level { kExpress, kNormal };

// The share of loop turns express gets, steered by the measured express latency (accepted ->
// submitted) against the SLA: below 70% of the SLA both levels share evenly; from 70% to 90%
// express's share rises linearly; from 90% on express gets all but `normal_min_share`, so
// normal never starves. A pure function of its inputs.
double ExpressShare(double latency_ms, double sla_ms, double normal_min_share);

// Probabilistic proportional sharing: express when `coin` (uniform in [0,1)) falls under its
// share. An empty side gives the other everything.
Level PickLevel(double express_share, double coin, bool express_empty, bool normal_empty);

// Exponentially weighted moving average; `alpha` is the weight of the new sample.
inline double Ewma(double previous, double sample, double alpha) { return previous + alpha * (sample - previous); }

// The index of the route for `destination` (E.164 with '+'): among `usable` routes, the one
// with the longest matching prefix (an empty prefix list matches everything, as the shortest
// match); ties go to the earlier route. -1 when none matches. `prefixes[i]` belong to route i.
int PickRoute(const std::string& destination, const std::vector<std::vector<std::string>>& prefixes,
              const std::vector<bool>& usable);

}  // namespace smsgw::sched
