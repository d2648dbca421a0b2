#include "ledger/round.h"

namespace smsgw::ledger {

Round::Round(const redis::Script& script) : script_(script) {
  commands_.push_back({"SCRIPT", "LOAD", script.source()});
}

size_t Round::Add(redis::Command command) {
  commands_.push_back(std::move(command));
  return commands_.size() - 2;
}

size_t Round::Invoke(const std::vector<std::string>& keys, const std::vector<std::string>& args) {
  return Add(script_.Invocation(keys, args));
}

Result<std::vector<redis::Reply>> Round::Run(redis::Connection& conn) const {
  if (empty()) return std::vector<redis::Reply>{};
  // A SCRIPT FLUSH landing mid-round still gets NOSCRIPT: PipelineScripts reloads then.
  Result<std::vector<redis::Reply>> replies = conn.PipelineScripts(commands_, {&script_});
  if (!replies.ok()) return replies.status();
  if (Status s = redis::PipelineStatus(commands_, *replies); !s.ok()) return s;
  replies->erase(replies->begin());
  return replies;
}

Status RunPipeline(redis::Connection& conn, const std::vector<redis::Command>& commands, const char* what) {
  if (commands.empty()) return Status::Ok();
  Result<std::vector<redis::Reply>> replies = conn.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  return redis::PipelineStatus(commands, *replies, what);
}

}  // namespace smsgw::ledger
