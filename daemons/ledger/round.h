#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "redis/redis.h"

namespace smsgw::ledger {

// One pipelined round trip of ledger commands: invocations of one script and plain commands,
// sent in the order they were added (DESIGN.md section 10: round trips, not commands).
//
// The round starts with SCRIPT LOAD of its script. A Redis that restarted or failed over has
// forgotten every script; an invocation answering NOSCRIPT would not have run while the plain
// commands after it did (a hold-index ZREM without its capture). Loading it first makes every
// invocation find it, for one command and a few hundred bytes per round trip.
class Round {
 public:
  explicit Round(const redis::Script& script);

  // Each returns the slot of its reply in Run()'s result.
  size_t Add(redis::Command command);
  size_t Invoke(const std::vector<std::string>& keys, const std::vector<std::string>& args);
  bool empty() const { return commands_.size() == 1; }

  // Sends the round on `conn` and returns one reply per added command, by slot. An error reply
  // in any slot fails the whole round: kUnavailable for errors that pass (LOADING, READONLY,
  // ...), kInternal otherwise; some commands may then have run.
  Result<std::vector<redis::Reply>> Run(redis::Connection& conn) const;

 private:
  const redis::Script& script_;
  std::vector<redis::Command> commands_;  // the SCRIPT LOAD first
};

// Sends plain commands in one round trip; an error reply in any slot fails the call.
Status RunPipeline(redis::Connection& conn, const std::vector<redis::Command>& commands, const char* what);

}  // namespace smsgw::ledger
