#include "sched/outbox.h"

namespace smsgw::sched {

void Outbox::Add(std::vector<redis::Command> commands, std::string entry) {
  if (commands.empty()) {
    if (!entry.empty()) landed_.push_back(std::move(entry));
    return;
  }
  groups_.push_back({std::move(commands), std::move(entry)});
}

size_t Outbox::commands() const {
  size_t n = 0;
  for (const Group& g : groups_) n += g.commands.size();
  return n;
}

Status Outbox::Flush(const PipelineFn& pipeline) {
  if (groups_.empty()) return Status::Ok();
  std::vector<redis::Command> all;
  all.reserve(commands());
  for (const Group& g : groups_) all.insert(all.end(), g.commands.begin(), g.commands.end());
  Result<std::vector<redis::Reply>> replies = pipeline(all);
  if (!replies.ok()) return replies.status();
  if (replies->size() != all.size()) return Status::Internal("outcome pipeline: reply count differs");

  std::vector<Group> kept;
  std::string first_error;
  size_t failed = 0;
  size_t slot = 0;
  for (Group& g : groups_) {
    Group left{{}, std::move(g.entry)};
    for (redis::Command& c : g.commands) {
      const redis::Reply& r = (*replies)[slot++];
      if (!r.is_error()) continue;
      if (first_error.empty()) first_error = c[0] + ": " + r.str;
      ++failed;
      left.commands.push_back(std::move(c));
    }
    if (left.commands.empty()) {
      if (!left.entry.empty()) landed_.push_back(std::move(left.entry));
    } else {
      kept.push_back(std::move(left));
    }
  }
  groups_ = std::move(kept);
  if (failed == 0) return Status::Ok();
  return Status::Internal("outcome pipeline: " + std::to_string(failed) + " command(s) failed, first " + first_error);
}

std::vector<std::string> Outbox::TakeLanded() {
  std::vector<std::string> out;
  out.swap(landed_);
  return out;
}

}  // namespace smsgw::sched
