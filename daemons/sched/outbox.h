#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "redis/redis.h"

namespace smsgw::sched {

// Outcome writes (acks, events, receipt keys, retries, dead letters) on their way to Redis,
// kept until they land: nothing is ever dropped (a dropped ack leaves its entry pending and
// it is sent again; a dropped receipt key leaves its message "submitted" for ever).
//
// Each Add() is one group, usually one message's writes with the entry they settle. Flush()
// sends every queued command in one pipeline. A connection failure keeps everything; a slot
// that answers an error keeps that command (its group's other commands, which landed, are
// not sent again). So every command must be safe to send twice: SET, XACK, XDEL, ZADD of the
// same member are; an XADD of a status event may then appear twice, which smsgw-report
// coalesces.
//
// Acks are sent together: the groups' {XACK <stream> <group> <id>} and {XDEL <stream> <id>}
// become one XACK and one XDEL per stream, after every other command, so an entry is acked
// only after its outcome was written (in the order Redis runs the pipeline); the groups'
// {DEL <key>} (the submitted marks) become one DEL after the acks. Loop thread only.
class Outbox {
 public:
  using PipelineFn = std::function<Result<std::vector<redis::Reply>>(const std::vector<redis::Command>&)>;

  // `entry` names what the group settles ("" for none); it is handed back by TakeLanded()
  // once every command of the group has landed.
  // `landed` (optional) runs once every command of the group has landed: a receipt's
  // deliver_sm_resp, say, which must wait until what it carried is in Redis.
  void Add(std::vector<redis::Command> commands, std::string entry = "", std::function<void()> landed = {});

  // Sends everything queued, then `tail` (commands that are not kept: their replies go to
  // `tail_replies` when the pipeline answered, whatever the other slots said). Returns the
  // connection's failure, or the first error reply (with how many slots failed); OK once
  // nothing is left.
  Status Flush(const PipelineFn& pipeline, const std::vector<redis::Command>& tail = {},
               std::vector<redis::Reply>* tail_replies = nullptr);

  bool empty() const { return groups_.empty(); }
  size_t commands() const;
  // The entries of the groups that landed since the last call.
  std::vector<std::string> TakeLanded();

 private:
  struct Group {
    std::vector<redis::Command> commands;
    std::string entry;
    std::function<void()> landed;
  };
  std::vector<Group> groups_;
  std::vector<std::string> landed_;
};

}  // namespace smsgw::sched
