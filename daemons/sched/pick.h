#pragma once

#include <string>
#include <vector>

namespace smsgw::sched {

enum class Level { kExpress, kNormal };

// The least share of turns express keeps, so that its latency is still measured (and its
// queue still read) while normal floods: with no express read there would be no sample.
inline constexpr double kMinExpressShare = 0.05;

// The controller of the share of loop turns express gets (review m17), steered by the express
// latency (accepted -> submitted) every instance measures into Redis: it aims at 70% of the
// SLA, raising the share while latency is above the aim and lowering it below, in proportion
// to the distance and to `dt_s` (integral control); from 90% of the SLA on express gets all
// but `normal_min_share` at once, so normal never starves. Between kMinExpressShare and
// 1 - normal_min_share. A pure function of its inputs.
double NextExpressShare(double share, double latency_ms, double sla_ms, double normal_min_share, double dt_s);

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
