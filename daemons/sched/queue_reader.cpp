#include "sched/queue_reader.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "common/time.h"
#include "keys/keys.h"
#include "sched/lua_scripts.h"

namespace smsgw::sched {
namespace {

const redis::Script kDeactivateIfEmpty(lua::kDeactivateIfEmpty);
const redis::Script kMoveDueRetries(lua::kMoveDueRetries);

constexpr int kScanPage = 1000;             // q:active members per SSCAN step
constexpr int64_t kWeightRefreshMs = 30000;  // an account's weight is read again this often
constexpr int kMaxPendingRead = 10000;

}  // namespace

int64_t AccountOfStream(const std::string& stream) {
  // "{a:<id>}:q"
  if (stream.rfind("{a:", 0) != 0) return 0;
  const size_t brace = stream.find('}');
  if (brace == std::string::npos) return 0;
  int64_t id = 0;
  const auto [end, ec] = std::from_chars(stream.data() + 3, stream.data() + brace, id);
  return ec == std::errc() && end == stream.data() + brace ? id : 0;
}

std::vector<redis::Command> QueueReader::GroupCommands(const std::vector<std::string>& streams, bool mkstream) {
  std::vector<redis::Command> cmds;
  for (const std::string& s : streams) {
    if (groups_.count(s) > 0) continue;
    redis::Command c{"XGROUP", "CREATE", s, keys::kSchedGroup, "0"};
    // Account streams are never created here: an account whose stream is gone has left.
    if (mkstream) c.push_back("MKSTREAM");
    cmds.push_back(std::move(c));
  }
  return cmds;
}

void QueueReader::ParseEntries(const std::string& stream, const redis::Reply& entries, bool recovered,
                               std::vector<QueuedMessage>& out) {
  for (const redis::Reply& entry : entries.elements) {
    if (entry.elements.size() != 2) continue;
    // A pending entry deleted meanwhile comes back with nil fields: nothing to send.
    if (entry.elements[1].is_nil()) continue;
    QueuedMessage m;
    m.stream = stream;
    m.entry_id = entry.elements[0].str;
    m.recovered = recovered;
    const auto& fields = entry.elements[1].elements;
    bool found = false;
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].str == keys::kPayloadField) {
        m.decoded = m.envelope.ParseFromString(fields[i + 1].str);
        found = true;
      }
    }
    if (!found) m.decoded = false;
    touched_.insert(stream);
    out.push_back(std::move(m));
  }
}

Result<std::vector<QueuedMessage>> QueueReader::Read(const std::vector<std::string>& streams, int count,
                                                     const char* from) {
  std::vector<QueuedMessage> out;
  if (streams.empty() || count <= 0) return out;
  std::vector<redis::Command> cmds = GroupCommands(streams, true);
  const size_t groups = cmds.size();
  redis::Command read{"XREADGROUP", "GROUP", keys::kSchedGroup, consumer_, "COUNT", std::to_string(count), "STREAMS"};
  read.insert(read.end(), streams.begin(), streams.end());
  for (size_t i = 0; i < streams.size(); ++i) read.push_back(from);
  cmds.push_back(std::move(read));
  Result<std::vector<redis::Reply>> r = conn_.Pipeline(cmds);
  if (!r.ok()) return r.status();
  for (const std::string& s : streams) groups_.insert(s);
  const redis::Reply& reply = (*r)[groups];
  if (reply.is_error()) {
    // A stream deleted and re-created by hand loses its group: forget what we knew.
    groups_.clear();
    return redis::ErrorReply("XREADGROUP", reply.str);
  }
  // Reply: [[stream, [[id, [field, value, ...]], ...]], ...]; nil when nothing.
  for (const redis::Reply& stream : reply.elements) {
    if (stream.elements.size() == 2) ParseEntries(stream.elements[0].str, stream.elements[1], from[0] == '0', out);
  }
  return out;
}

Result<std::vector<QueuedMessage>> QueueReader::ReadExpress(int max) { return Read({keys::kExpressQueue}, max, ">"); }

Result<std::vector<QueuedMessage>> QueueReader::ReadNormal(int max) {
  const int64_t now = NowMs();
  std::vector<DrrRing::Grant> grants = ring_.Plan(max, max_streams_, quantum_);
  // One pipeline: the next scan page, group creation for new streams, a read per account
  // granted something (each its own COUNT), and the weights due for a refresh.
  std::vector<redis::Command> cmds{{"SSCAN", keys::kActiveAccounts, scan_cursor_, "COUNT", std::to_string(kScanPage)}};
  std::vector<std::string> streams;
  for (const DrrRing::Grant& g : grants) {
    if (g.messages > 0) streams.push_back(keys::AccountQueue(g.account));
  }
  std::vector<redis::Command> groups = GroupCommands(streams, false);
  cmds.insert(cmds.end(), groups.begin(), groups.end());
  const size_t first_read = cmds.size();
  std::vector<const DrrRing::Grant*> read_grants;
  for (const DrrRing::Grant& g : grants) {
    if (g.messages <= 0) continue;
    cmds.push_back({"XREADGROUP", "GROUP", keys::kSchedGroup, consumer_, "COUNT", std::to_string(g.messages), "STREAMS",
                    keys::AccountQueue(g.account), ">"});
    read_grants.push_back(&g);
  }
  const size_t first_weight = cmds.size();
  std::vector<int64_t> weighed;
  for (const DrrRing::Grant& g : grants) {
    auto it = weight_read_ms_.find(g.account);
    if (it != weight_read_ms_.end() && now - it->second < kWeightRefreshMs) continue;
    cmds.push_back({"HGET", keys::Account(g.account), "weight"});
    weighed.push_back(g.account);
  }
  Result<std::vector<redis::Reply>> r = conn_.Pipeline(cmds);
  if (!r.ok()) return r.status();
  const std::vector<redis::Reply>& replies = *r;

  // The scan page: every member, none dropped (review C2).
  const redis::Reply& scan = replies[0];
  if (scan.elements.size() == 2) {
    std::vector<int64_t> page;
    for (const redis::Reply& member : scan.elements[1].elements) {
      if (Result<int64_t> id = member.AsInt(); id.ok()) page.push_back(*id);
    }
    ring_.Add(page);
    scan_cursor_ = scan.elements[0].str;
    if (scan_cursor_ == "0") ring_.EndScan();
  }
  for (size_t i = 0; i < weighed.size(); ++i) {
    Result<int64_t> w = replies[first_weight + i].AsInt();
    ring_.SetWeight(weighed[i], w.ok() ? static_cast<int>(std::clamp<int64_t>(*w, 1, 1000)) : 1);
    weight_read_ms_[weighed[i]] = now;
  }

  std::vector<QueuedMessage> out;
  std::vector<redis::Command> checks;
  for (size_t i = 0; i < read_grants.size(); ++i) {
    const DrrRing::Grant& g = *read_grants[i];
    const std::string stream = keys::AccountQueue(g.account);
    const redis::Reply& reply = replies[first_read + i];
    if (reply.is_error()) {
      // No stream (or no group on it): the account has nothing queued; let the check decide.
      groups_.erase(stream);
      ring_.Charge(g.account, g.messages, 0, 0);
      checks.push_back(kDeactivateIfEmpty.Invocation({stream, keys::kActiveAccounts}, {std::to_string(g.account)}));
      continue;
    }
    groups_.insert(stream);
    const size_t before = out.size();
    for (const redis::Reply& s : reply.elements) {
      if (s.elements.size() == 2) ParseEntries(stream, s.elements[1], false, out);
    }
    int segments = 0;
    for (size_t k = before; k < out.size(); ++k) segments += std::max(1, out[k].envelope.segments());
    const int got = static_cast<int>(out.size() - before);
    ring_.Charge(g.account, g.messages, got, segments);
    if (got == 0) {
      checks.push_back(kDeactivateIfEmpty.Invocation({stream, keys::kActiveAccounts}, {std::to_string(g.account)}));
    }
  }
  if (!checks.empty()) {
    Result<std::vector<redis::Reply>> c = conn_.PipelineScripts(checks, {&kDeactivateIfEmpty});
    if (!c.ok()) return c.status();
    for (size_t i = 0; i < c->size(); ++i) {
      if ((*c)[i].type == redis::Reply::Type::kInteger && (*c)[i].integer == 1) {
        ring_.Remove(AccountOfStream(checks[i][3]));
      }
    }
  }
  return out;
}

Result<std::vector<QueuedMessage>> QueueReader::Claim(int64_t min_idle_ms, int streams, int max) {
  std::vector<std::string> names{keys::kExpressQueue};
  const std::vector<int64_t>& order = ring_.order();
  for (int i = 0; i < streams && !order.empty() && i < static_cast<int>(order.size()); ++i) {
    claim_cursor_ %= order.size();
    const int64_t account = order[claim_cursor_++];
    if (ring_.contains(account)) names.push_back(keys::AccountQueue(account));
  }
  std::vector<QueuedMessage> out;
  if (max <= 0) return out;
  std::vector<redis::Command> cmds;
  for (const std::string& s : names) {
    cmds.push_back({"XAUTOCLAIM", s, keys::kSchedGroup, consumer_, std::to_string(min_idle_ms), "0-0", "COUNT",
                    std::to_string(std::min(max, 1000))});
  }
  Result<std::vector<redis::Reply>> r = conn_.Pipeline(cmds);
  if (!r.ok()) return r.status();
  for (size_t i = 0; i < names.size() && static_cast<int>(out.size()) < max; ++i) {
    const redis::Reply& reply = (*r)[i];
    if (reply.is_error()) continue;  // no stream or no group yet: nothing pending there
    // [next start, [[id, fields], ...], [deleted ids]] (Redis 7 drops deleted ones from the PEL).
    if (reply.elements.size() >= 2) ParseEntries(names[i], reply.elements[1], true, out);
  }
  return out;
}

Result<std::vector<QueuedMessage>> QueueReader::ReadOwnPending(bool everywhere) {
  std::set<std::string> streams;
  streams.swap(touched_);
  if (everywhere) {
    streams.insert(keys::kExpressQueue);
    std::string cursor = "0";
    do {
      Result<redis::Reply> page = conn_.Run({"SSCAN", keys::kActiveAccounts, cursor, "COUNT", std::to_string(kScanPage)});
      if (!page.ok()) return page.status();
      if (page->elements.size() != 2) return Status::Internal("SSCAN: unexpected reply");
      cursor = page->elements[0].str;
      for (const redis::Reply& m : page->elements[1].elements) {
        if (Result<int64_t> id = m.AsInt(); id.ok()) streams.insert(keys::AccountQueue(*id));
      }
    } while (cursor != "0");
  }
  std::vector<std::string> all(streams.begin(), streams.end());
  std::vector<QueuedMessage> out;
  // In slices, so an install with many accounts does not build one enormous command.
  for (size_t i = 0; i < all.size(); i += static_cast<size_t>(max_streams_)) {
    std::vector<std::string> slice(all.begin() + static_cast<std::ptrdiff_t>(i),
                                   all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), i + static_cast<size_t>(max_streams_))));
    Result<std::vector<QueuedMessage>> got = Read(slice, kMaxPendingRead, "0");
    if (!got.ok()) return got.status();
    for (auto& m : *got) out.push_back(std::move(m));
  }
  return out;
}

Status QueueReader::Touch(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::map<std::string, redis::Command> by_stream;
  for (const auto& [stream, id] : entries) {
    redis::Command& c = by_stream[stream];
    if (c.empty()) c = {"XCLAIM", stream, keys::kSchedGroup, consumer_, "0"};
    c.push_back(id);
  }
  std::vector<redis::Command> cmds;
  for (auto& [stream, c] : by_stream) {
    c.push_back("JUSTID");
    cmds.push_back(std::move(c));
  }
  if (cmds.empty()) return Status::Ok();
  Result<std::vector<redis::Reply>> r = conn_.Pipeline(cmds);
  return r.ok() ? Status::Ok() : r.status();
}

Result<int64_t> QueueReader::MoveDueRetries(int64_t now_ms, int max) {
  Result<redis::Reply> r =
      conn_.Eval(kMoveDueRetries, {keys::kRetry, keys::kActiveAccounts}, {std::to_string(now_ms), std::to_string(max)});
  if (!r.ok()) return r.status();
  return r->AsInt();
}

}  // namespace smsgw::sched
