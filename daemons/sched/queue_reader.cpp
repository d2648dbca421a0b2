#include "sched/queue_reader.h"

#include "keys/keys.h"
#include "sched/lua_scripts.h"

namespace smsgw::sched {
namespace {

const redis::Script kDeactivateIfEmpty(lua::kDeactivateIfEmpty);
const redis::Script kMoveDueRetries(lua::kMoveDueRetries);

std::string AccountOfStream(const std::string& stream) {
  // "{a:<id>}:q"
  const size_t colon = stream.find(':');
  const size_t brace = stream.find('}');
  if (colon == std::string::npos || brace == std::string::npos || brace < colon) return "";
  return stream.substr(colon + 1, brace - colon - 1);
}

}  // namespace

Status QueueReader::EnsureGroup(const std::string& stream) {
  if (groups_.count(stream) > 0) return Status::Ok();
  Result<std::vector<redis::Reply>> r = conn_.Pipeline({{"XGROUP", "CREATE", stream, keys::kSchedGroup, "0", "MKSTREAM"}});
  if (!r.ok()) return r.status();
  const redis::Reply& reply = (*r)[0];
  if (reply.is_error() && reply.str.rfind("BUSYGROUP", 0) != 0) return Status::Internal("XGROUP CREATE: " + reply.str);
  groups_.insert(stream);
  return Status::Ok();
}

Result<std::vector<QueuedMessage>> QueueReader::Read(const std::vector<std::string>& streams, int count,
                                                     const char* from, std::set<std::string>* nonempty) {
  std::vector<QueuedMessage> out;
  if (streams.empty() || count <= 0) return out;
  for (const std::string& s : streams) {
    if (Status st = EnsureGroup(s); !st.ok()) return st;
  }
  redis::Command cmd{"XREADGROUP", "GROUP", keys::kSchedGroup, consumer_, "COUNT", std::to_string(count), "STREAMS"};
  cmd.insert(cmd.end(), streams.begin(), streams.end());
  for (size_t i = 0; i < streams.size(); ++i) cmd.push_back(from);
  Result<redis::Reply> r = conn_.Run(cmd);
  if (!r.ok()) {
    // A stream deleted and re-created by hand loses its group: forget what we knew.
    if (r.status().message().find("NOGROUP") != std::string::npos) groups_.clear();
    return r.status();
  }
  // Reply: [[stream, [[id, [field, value, ...]], ...]], ...]; nil when nothing.
  for (const redis::Reply& stream : r->elements) {
    if (stream.elements.size() != 2) continue;
    const std::string& name = stream.elements[0].str;
    for (const redis::Reply& entry : stream.elements[1].elements) {
      if (entry.elements.size() != 2) continue;
      // A pending entry deleted meanwhile comes back with nil fields: nothing to send.
      if (entry.elements[1].is_nil()) continue;
      QueuedMessage m;
      m.stream = name;
      m.entry_id = entry.elements[0].str;
      const auto& fields = entry.elements[1].elements;
      bool found = false;
      for (size_t i = 0; i + 1 < fields.size(); i += 2) {
        if (fields[i].str == keys::kPayloadField) {
          m.decoded = m.envelope.ParseFromString(fields[i + 1].str);
          found = true;
        }
      }
      if (!found) m.decoded = false;
      if (nonempty != nullptr) nonempty->insert(name);
      out.push_back(std::move(m));
    }
  }
  return out;
}

Result<std::vector<QueuedMessage>> QueueReader::ReadExpress(int max) {
  return Read({keys::kExpressQueue}, max, ">", nullptr);
}

Result<std::vector<QueuedMessage>> QueueReader::ReadNormal(int max) {
  normal_idle_ = false;
  Result<redis::Reply> scan =
      conn_.Run({"SSCAN", keys::kActiveAccounts, cursor_, "COUNT", std::to_string(max_streams_)});
  if (!scan.ok()) return scan.status();
  if (scan->elements.size() != 2) return Status::Internal("SSCAN: unexpected reply");
  const bool wrapped = scan->elements[0].str == "0";
  cursor_ = scan->elements[0].str;
  std::vector<std::string> streams;
  for (const redis::Reply& member : scan->elements[1].elements) {
    if (static_cast<int>(streams.size()) >= max_streams_) break;
    Result<int64_t> id = member.AsInt();
    if (id.ok()) streams.push_back(keys::AccountQueue(*id));
  }
  // Each stream gets at most `quantum`, and together no more than `max`.
  const int per_stream = streams.empty() ? 0 : std::max(1, std::min(quantum_, max / static_cast<int>(streams.size())));
  std::set<std::string> nonempty;
  Result<std::vector<QueuedMessage>> got = Read(streams, per_stream, ">", &nonempty);
  if (!got.ok()) return got.status();

  std::vector<redis::Command> checks;
  for (const std::string& s : streams) {
    if (nonempty.count(s) > 0) continue;
    checks.push_back(kDeactivateIfEmpty.Invocation({s, keys::kActiveAccounts}, {AccountOfStream(s)}));
  }
  if (!checks.empty()) {
    if (Result<std::vector<redis::Reply>> r = conn_.PipelineScripts(checks, {&kDeactivateIfEmpty}); !r.ok()) {
      return r.status();
    }
  }
  normal_idle_ = wrapped && got->empty();
  return got;
}

Result<std::vector<QueuedMessage>> QueueReader::ReadOwnPending() {
  std::vector<std::string> streams{keys::kExpressQueue};
  Result<redis::Reply> members = conn_.Run({"SMEMBERS", keys::kActiveAccounts});
  if (!members.ok()) return members.status();
  for (const redis::Reply& m : members->elements) {
    Result<int64_t> id = m.AsInt();
    if (id.ok()) streams.push_back(keys::AccountQueue(*id));
  }
  std::vector<QueuedMessage> all;
  // In slices, so an install with many accounts does not build one enormous command.
  for (size_t i = 0; i < streams.size(); i += static_cast<size_t>(max_streams_)) {
    std::vector<std::string> slice(streams.begin() + i,
                                   streams.begin() + std::min(streams.size(), i + static_cast<size_t>(max_streams_)));
    Result<std::vector<QueuedMessage>> got = Read(slice, 10000, "0", nullptr);
    if (!got.ok()) return got.status();
    for (auto& m : *got) all.push_back(std::move(m));
  }
  return all;
}

Result<int64_t> QueueReader::MoveDueRetries(int64_t now_ms, int max) {
  Result<redis::Reply> r =
      conn_.Eval(kMoveDueRetries, {keys::kRetry, keys::kActiveAccounts}, {std::to_string(now_ms), std::to_string(max)});
  if (!r.ok()) return r.status();
  return r->AsInt();
}

}  // namespace smsgw::sched
