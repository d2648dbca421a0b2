#include "sched/outbox.h"

#include <map>
#include <utility>

namespace smsgw::sched {
namespace {

bool IsAck(const redis::Command& c) { return c.size() == 4 && c[0] == "XACK"; }
bool IsDelete(const redis::Command& c) { return c.size() == 3 && c[0] == "XDEL"; }
bool IsAfterAck(const redis::Command& c) { return c.size() == 2 && c[0] == "DEL"; }

// Where each queued command went in the pipeline: its own slot, or a merged one.
struct Plan {
  std::vector<redis::Command> pipeline;
  std::vector<std::vector<size_t>> slot;  // [group][command] -> pipeline slot
};

}  // namespace

void Outbox::Add(std::vector<redis::Command> commands, std::string entry, std::function<void()> landed) {
  if (commands.empty()) {
    if (!entry.empty()) landed_.push_back(std::move(entry));
    if (landed) landed();
    return;
  }
  groups_.push_back({std::move(commands), std::move(entry), std::move(landed)});
}

size_t Outbox::commands() const {
  size_t n = 0;
  for (const Group& g : groups_) n += g.commands.size();
  return n;
}

Status Outbox::Flush(const PipelineFn& pipeline, const std::vector<redis::Command>& tail,
                     std::vector<redis::Reply>* tail_replies) {
  if (groups_.empty() && tail.empty()) return Status::Ok();
  Plan plan;
  // (stream, group) -> merged XACK; stream -> merged XDEL; each with the commands it carries.
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<size_t, size_t>>> acks;
  std::map<std::string, std::vector<std::pair<size_t, size_t>>> deletes;
  std::vector<std::pair<size_t, size_t>> after_ack;
  plan.slot.resize(groups_.size());
  for (size_t g = 0; g < groups_.size(); ++g) {
    plan.slot[g].resize(groups_[g].commands.size());
    for (size_t c = 0; c < groups_[g].commands.size(); ++c) {
      const redis::Command& cmd = groups_[g].commands[c];
      if (IsAck(cmd)) {
        acks[{cmd[1], cmd[2]}].push_back({g, c});
      } else if (IsDelete(cmd)) {
        deletes[cmd[1]].push_back({g, c});
      } else if (IsAfterAck(cmd)) {
        after_ack.push_back({g, c});
      } else {
        plan.slot[g][c] = plan.pipeline.size();
        plan.pipeline.push_back(cmd);
      }
    }
  }
  for (const auto& [key, members] : acks) {
    redis::Command merged{"XACK", key.first, key.second};
    for (const auto& [g, c] : members) {
      merged.push_back(groups_[g].commands[c][3]);
      plan.slot[g][c] = plan.pipeline.size();
    }
    plan.pipeline.push_back(std::move(merged));
  }
  for (const auto& [stream, members] : deletes) {
    redis::Command merged{"XDEL", stream};
    for (const auto& [g, c] : members) {
      merged.push_back(groups_[g].commands[c][2]);
      plan.slot[g][c] = plan.pipeline.size();
    }
    plan.pipeline.push_back(std::move(merged));
  }
  if (!after_ack.empty()) {
    redis::Command merged{"DEL"};
    for (const auto& [g, c] : after_ack) {
      merged.push_back(groups_[g].commands[c][1]);
      plan.slot[g][c] = plan.pipeline.size();
    }
    plan.pipeline.push_back(std::move(merged));
  }
  const size_t kept_slots = plan.pipeline.size();
  plan.pipeline.insert(plan.pipeline.end(), tail.begin(), tail.end());

  Result<std::vector<redis::Reply>> replies = pipeline(plan.pipeline);
  if (!replies.ok()) return replies.status();
  if (replies->size() != plan.pipeline.size()) return Status::Internal("outcome pipeline: reply count differs");
  if (tail_replies != nullptr) tail_replies->assign(replies->begin() + static_cast<ptrdiff_t>(kept_slots), replies->end());

  std::vector<Group> kept;
  std::string first_error;
  size_t failed = 0;
  for (size_t s = 0; s < kept_slots; ++s) {
    const redis::Reply& r = (*replies)[s];
    if (!r.is_error()) continue;
    if (first_error.empty()) first_error = plan.pipeline[s][0] + ": " + r.str;
    ++failed;
  }
  std::vector<std::function<void()>> landed_callbacks;
  for (size_t g = 0; g < groups_.size(); ++g) {
    Group left{{}, std::move(groups_[g].entry), std::move(groups_[g].landed)};
    for (size_t c = 0; c < groups_[g].commands.size(); ++c) {
      if ((*replies)[plan.slot[g][c]].is_error()) left.commands.push_back(std::move(groups_[g].commands[c]));
    }
    if (left.commands.empty()) {
      if (!left.entry.empty()) landed_.push_back(std::move(left.entry));
      if (left.landed) landed_callbacks.push_back(std::move(left.landed));
    } else {
      kept.push_back(std::move(left));
    }
  }
  groups_ = std::move(kept);
  for (auto& cb : landed_callbacks) cb();
  if (failed == 0) return Status::Ok();
  return Status::Internal("outcome pipeline: " + std::to_string(failed) + " command(s) failed, first " + first_error);
}

std::vector<std::string> Outbox::TakeLanded() {
  std::vector<std::string> out;
  out.swap(landed_);
  return out;
}

}  // namespace smsgw::sched
