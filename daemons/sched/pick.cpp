#include "sched/pick.h"

#include <algorithm>

namespace smsgw::sched {

double NextExpressShare(double share, double latency_ms, double sla_ms, double normal_min_share, double dt_s) {
  constexpr double kAim = 0.7;     // where express latency should sit, as a fraction of the SLA
  constexpr double kUrgent = 0.9;  // from here on express takes all it may
  constexpr double kGain = 2.0;    // share change per second per unit of error (SLA fractions)
  const double max_share = std::max(kMinExpressShare, 1.0 - normal_min_share);
  if (sla_ms <= 0) return max_share;
  const double ratio = latency_ms / sla_ms;
  if (ratio >= kUrgent) return max_share;
  const double next = share + kGain * (ratio - kAim) * std::clamp(dt_s, 0.0, 1.0);
  return std::clamp(next, kMinExpressShare, max_share);
}

Level PickLevel(double express_share, double coin, bool express_empty, bool normal_empty) {
  if (express_empty && !normal_empty) return Level::kNormal;
  if (normal_empty) return Level::kExpress;
  return coin < express_share ? Level::kExpress : Level::kNormal;
}

int PickRoute(const std::string& destination, const std::vector<std::vector<std::string>>& prefixes,
              const std::vector<bool>& usable) {
  int best = -1;
  int best_len = -1;
  for (size_t i = 0; i < prefixes.size(); ++i) {
    if (i >= usable.size() || !usable[i]) continue;
    int len = -1;
    if (prefixes[i].empty()) len = 0;
    for (const std::string& p : prefixes[i]) {
      if (destination.rfind(p, 0) == 0) len = std::max(len, static_cast<int>(p.size()));
    }
    if (len > best_len) {
      best = static_cast<int>(i);
      best_len = len;
    }
  }
  return best;
}

}  // namespace smsgw::sched
