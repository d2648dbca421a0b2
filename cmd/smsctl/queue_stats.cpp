#include "queue_stats.h"

#include <algorithm>
#include <charconv>

#include "keys/keys.h"

namespace smsgw::smsctl {
namespace {

constexpr int kPipeline = 1000;

// A flat [name, value, name, value, ...] reply as a lookup.
const redis::Reply* Field(const redis::Reply& r, const std::string& name) {
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    if (r.elements[i].str == name) return &r.elements[i + 1];
  }
  return nullptr;
}

int64_t IntField(const redis::Reply& r, const std::string& name) {
  const redis::Reply* f = Field(r, name);
  if (f == nullptr) return 0;
  Result<int64_t> v = f->AsInt();
  return v.ok() ? *v : 0;
}

std::vector<GroupInfo> ParseGroups(const redis::Reply& r) {
  std::vector<GroupInfo> groups;
  for (const redis::Reply& g : r.elements) {
    GroupInfo info;
    if (const redis::Reply* f = Field(g, "name")) info.name = f->str;
    info.consumers = IntField(g, "consumers");
    info.pending = IntField(g, "pending");
    if (const redis::Reply* f = Field(g, "lag"); f != nullptr && !f->is_nil()) {
      if (Result<int64_t> v = f->AsInt(); v.ok()) info.lag = *v;
    }
    if (const redis::Reply* f = Field(g, "last-delivered-id")) info.last_delivered = f->str;
    groups.push_back(std::move(info));
  }
  return groups;
}

// Fills a stream row from XLEN, XINFO GROUPS and XRANGE - + COUNT 1 replies.
void StreamRow(QueueRow& row, const redis::Reply& len, const redis::Reply& groups, const redis::Reply& first,
               int64_t now_ms) {
  row.length = len.AsInt().ok() ? *len.AsInt() : 0;
  if (!groups.is_error()) {
    for (const GroupInfo& g : ParseGroups(groups)) {
      row.pending += g.pending;
      if (g.lag) row.lag = row.lag.value_or(0) + *g.lag;
    }
  }
  if (!first.elements.empty() && !first.elements[0].elements.empty()) {
    if (auto ms = IdTimeMs(first.elements[0].elements[0].str)) row.oldest_age_s = (now_ms - *ms) / 1000.0;
  }
}

QueueRow NewRow(std::string name, std::string level) {
  QueueRow row;
  row.name = std::move(name);
  row.level = std::move(level);
  return row;
}

}  // namespace

std::optional<int64_t> IdTimeMs(const std::string& id) {
  int64_t ms = 0;
  auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), ms);
  if (ec != std::errc() || p == id.data()) return std::nullopt;
  return ms;
}

std::string StreamKey(const std::string& name) {
  if (name == "express") return keys::kExpressQueue;
  if (name == "events" || name == "report") return keys::kReportEvents;
  if (name == "dlq") return keys::kDeadLetters;
  if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) {
    return keys::AccountQueue(std::stoll(name));
  }
  return name;
}

std::string DefaultGroup(const std::string& stream) {
  return stream == keys::kReportEvents ? keys::kReportGroup : keys::kSchedGroup;
}

Result<std::vector<GroupInfo>> ReadGroups(redis::Connection& redis, const std::string& stream) {
  Result<std::vector<redis::Reply>> r = redis.Pipeline({{"TYPE", stream}, {"XINFO", "GROUPS", stream}});
  if (!r.ok()) return r.status();
  if ((*r)[0].str == "none") return Status::NotFound("stream " + stream + " does not exist");
  if ((*r)[0].str != "stream") return Status::InvalidArgument(stream + " is a " + (*r)[0].str + ", not a stream");
  if ((*r)[1].is_error()) return redis::ErrorReply("XINFO GROUPS", (*r)[1].str);
  return ParseGroups((*r)[1]);
}

Result<QueueSnapshot> ReadQueues(redis::Connection& redis, int top, int64_t now_ms) {
  QueueSnapshot snap;
  // The fixed keys in one round trip.
  std::vector<redis::Command> fixed;
  for (const char* s : {keys::kExpressQueue, keys::kDeadLetters, keys::kReportEvents}) {
    fixed.push_back({"XLEN", s});
    fixed.push_back({"XINFO", "GROUPS", s});  // an error reply when the stream does not exist
    fixed.push_back({"XRANGE", s, "-", "+", "COUNT", "1"});
  }
  fixed.push_back({"ZCARD", keys::kRetry});
  fixed.push_back({"SCARD", keys::kActiveAccounts});
  Result<std::vector<redis::Reply>> r = redis.Pipeline(fixed);
  if (!r.ok()) return r.status();
  const std::vector<redis::Reply>& f = *r;
  QueueRow express = NewRow(keys::kExpressQueue, "express");
  StreamRow(express, f[0], f[1], f[2], now_ms);
  QueueRow dlq = NewRow(keys::kDeadLetters, "dlq");
  StreamRow(dlq, f[3], f[4], f[5], now_ms);
  QueueRow events = NewRow(keys::kReportEvents, "events");
  StreamRow(events, f[6], f[7], f[8], now_ms);
  QueueRow retry = NewRow(keys::kRetry, "retry");
  retry.length = f[9].AsInt().ok() ? *f[9].AsInt() : 0;
  snap.active_accounts = f[10].AsInt().ok() ? *f[10].AsInt() : 0;

  // Every active account's stream: SSCAN, then XLEN and XINFO GROUPS in pipelines.
  std::vector<std::string> accounts;
  std::string cursor = "0";
  do {
    Result<redis::Reply> scan = redis.Run({"SSCAN", keys::kActiveAccounts, cursor, "COUNT", "1000"});
    if (!scan.ok()) return scan.status();
    if (scan->elements.size() != 2) return Status::Internal("redis SSCAN: unexpected reply");
    cursor = scan->elements[0].str;
    for (const redis::Reply& m : scan->elements[1].elements) accounts.push_back(m.str);
  } while (cursor != "0");
  QueueRow normal = NewRow("", "normal");
  std::vector<QueueRow> streams;
  for (size_t from = 0; from < accounts.size(); from += kPipeline) {
    std::vector<redis::Command> cmds;
    const size_t to = std::min(accounts.size(), from + kPipeline);
    for (size_t i = from; i < to; ++i) {
      const std::string key = keys::AccountQueue(std::stoll(accounts[i]));
      cmds.push_back({"XLEN", key});
      cmds.push_back({"XINFO", "GROUPS", key});
      cmds.push_back({"XRANGE", key, "-", "+", "COUNT", "1"});
    }
    Result<std::vector<redis::Reply>> lens = redis.Pipeline(cmds);
    if (!lens.ok()) return lens.status();
    for (size_t i = from; i < to; ++i) {
      const size_t k = 3 * (i - from);
      QueueRow row = NewRow(keys::AccountQueue(std::stoll(accounts[i])), "normal");
      StreamRow(row, (*lens)[k], (*lens)[k + 1], (*lens)[k + 2], now_ms);
      normal.length += row.length;
      normal.pending += row.pending;
      if (row.lag) normal.lag = normal.lag.value_or(0) + *row.lag;
      if (row.oldest_age_s && (!normal.oldest_age_s || *row.oldest_age_s > *normal.oldest_age_s)) {
        normal.oldest_age_s = row.oldest_age_s;
      }
      streams.push_back(std::move(row));
    }
  }
  normal.name = "normal (" + std::to_string(accounts.size()) + " accounts)";
  std::sort(streams.begin(), streams.end(), [](const QueueRow& a, const QueueRow& b) {
    return a.length != b.length ? a.length > b.length : a.name < b.name;
  });
  if (static_cast<int>(streams.size()) > top) streams.resize(static_cast<size_t>(std::max(top, 0)));
  snap.levels = {express, normal, retry, dlq, events};
  snap.top_accounts = std::move(streams);
  return snap;
}

}  // namespace smsgw::smsctl
