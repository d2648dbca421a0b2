// Scheduler: each operator's shared rate (GCRA in Redis), throttling answers, and handing
// captured messages to the links.

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/time.h"
#include "keys/keys.h"
#include "sched/lua_scripts.h"
#include "sched/outcomes.h"
#include "sched/scheduler.h"

namespace smsgw::sched {
namespace {

const redis::Script kTakeSubmits(lua::kTakeSubmits);

int Burst(const config::OperatorConfig& op) { return op.tps_burst > 0 ? op.tps_burst : std::max(1, op.tps / 10); }

// Submits a job costs against the operator's rate: one per part still to send.
int Need(const Job& job, int burst) {
  int n = 0;
  for (size_t i = 0; i < job.request.parts.size(); ++i) {
    if (i >= job.request.done_ids.size() || job.request.done_ids[i].empty()) ++n;
  }
  return std::clamp(n, 1, burst);
}

}  // namespace

void Scheduler::AskRates(int64_t now_ms) {
  std::vector<redis::Command> asks;
  std::vector<std::pair<size_t, int>> asked;  // lane, wanted
  for (size_t i = 0; i < lanes_.size(); ++i) {
    Lane& lane = lanes_[i];
    if (lane.ready.empty() || now_ms < lane.next_ask_ms || now_ms < lane.paused_until_ms) continue;
    const config::OperatorConfig& op = routes_[i].op;
    const int burst = Burst(op);
    if (lane.tokens >= Need(lane.ready.front(), burst)) continue;
    int wanted = 0;
    for (const Job& job : lane.ready) wanted += Need(job, burst);
    wanted = std::min(wanted, burst) - lane.tokens;
    if (wanted <= 0) continue;
    asks.push_back(kTakeSubmits.Invocation({keys::OperatorRate(op.name)},
                                           {std::to_string(1e6 / op.tps), std::to_string(burst), std::to_string(wanted)}));
    asked.push_back({i, wanted});
  }
  if (asks.empty()) return;
  Result<std::vector<redis::Reply>> r = conn_.PipelineScripts(asks, {&kTakeSubmits});
  if (!r.ok()) {
    spdlog::warn("operator rates: {}", r.status().ToString());
    for (auto& [i, wanted] : asked) lanes_[i].next_ask_ms = now_ms + 100;
    return;
  }
  for (size_t k = 0; k < asked.size(); ++k) {
    Lane& lane = lanes_[asked[k].first];
    const redis::Reply& reply = (*r)[k];
    if (reply.is_error() || reply.elements.size() != 2) {
      spdlog::warn("operator rate of {}: {}", routes_[asked[k].first].name, reply.str);
      lane.next_ask_ms = now_ms + 100;
      continue;
    }
    const int granted = static_cast<int>(reply.elements[0].integer);
    lane.tokens += granted;
    lane.next_ask_ms = granted < asked[k].second ? now_ms + std::max<int64_t>(1, reply.elements[1].integer / 1000) : 0;
  }
}

void Scheduler::PumpLanes() {
  const int64_t now = NowMs();
  AskRates(now);
  for (size_t i = 0; i < lanes_.size(); ++i) {
    Lane& lane = lanes_[i];
    Route& route = routes_[i];
    if (lane.ready.empty()) continue;
    if (!route.client->bound()) {
      // Its link went down while they waited: decide again (another route, or wait for one).
      std::vector<Job> again(std::make_move_iterator(lane.ready.begin()), std::make_move_iterator(lane.ready.end()));
      lane.ready.clear();
      Advance(std::move(again));
      continue;
    }
    if (now < lane.paused_until_ms) continue;
    const int burst = Burst(route.op);
    while (!lane.ready.empty() && lane.tokens >= Need(lane.ready.front(), burst)) {
      Job job = std::move(lane.ready.front());
      lane.ready.pop_front();
      lane.tokens -= Need(job, burst);
      smpp::SubmitRequest request = job.request;
      ++in_flight_;
      route.client->Submit(std::move(request), [this, job = std::move(job)](smpp::SubmitResult r) mutable {
        {
          std::lock_guard lock(mu_);
          completions_.push_back({std::move(job), std::move(r)});
        }
        cv_.notify_one();
      });
    }
  }
}

void Scheduler::Throttled(Job job, int64_t now_ms) {
  // The operator asked us to slow down (review M5): no attempt is spent; this route pauses,
  // longer after every throttling answer in a row, and the message goes first when it resumes.
  size_t lane_index = lanes_.size();
  for (size_t i = 0; i < routes_.size(); ++i) {
    if (routes_[i].name == job.operator_name) lane_index = i;
  }
  if (lane_index == lanes_.size()) lane_index = static_cast<size_t>(std::max(job.route, 0));
  Lane& lane = lanes_[lane_index];
  const bool first = lane.pause_ms == 0;
  lane.pause_ms = first ? 250 : std::min<int64_t>(lane.pause_ms * 2, 5000);
  lane.paused_until_ms = now_ms + lane.pause_ms;
  lane.tokens = 0;
  if (first) spdlog::info("{} throttles ({}): pausing its submits", job.operator_name, job.facts.submit_detail);
  metrics_.Submitted(job.operator_name, SchedMetrics::Submit::kThrottled);
  job.facts.submit = SubmitFact::kNotSent;
  job.facts.submit_detail.clear();
  job.route = static_cast<int>(lane_index);
  Submit(std::move(job), /*front=*/true);
}

void Scheduler::ReleaseLanes() {
  const int64_t now = NowMs();
  for (Lane& lane : lanes_) {
    for (Job& job : lane.ready) {
      v1::Envelope e = job.msg.envelope;
      outbox_.Add(RetryCommands(job.msg, e, e.attempts(), now), EntryKey(job.msg));
    }
    lane.ready.clear();
  }
}

}  // namespace smsgw::sched
