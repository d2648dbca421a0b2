#include "dlq_store.h"

#include "keys/keys.h"

namespace smsgw::smsctl {
namespace {

constexpr int kPage = 1000;

DeadLetter Parse(const redis::Reply& entry) {
  DeadLetter d;
  d.entry = entry.elements[0].str;
  const auto& f = entry.elements[1].elements;
  for (size_t i = 0; i + 1 < f.size(); i += 2) {
    const std::string& k = f[i].str;
    const std::string& v = f[i + 1].str;
    if (k == keys::kPayloadField) d.envelope.ParseFromString(v);
    else if (k == "stream") d.stream = v;
    else if (k == "error") d.error = v;
    else if (k == "attempts") d.attempts = std::atoi(v.c_str());
    else if (k == "at_ms") d.at_ms = std::atoll(v.c_str());
  }
  return d;
}

bool Selected(const DeadLetter& d, const DlqFilter& f) {
  if (f.account > 0 && d.envelope.account_id() != f.account) return false;
  if (f.before_ms > 0 && d.at_ms >= f.before_ms) return false;
  return true;
}

}  // namespace

Result<std::vector<DeadLetter>> ReadDeadLetters(redis::Connection& redis, const DlqFilter& filter) {
  std::vector<DeadLetter> out;
  if (!filter.entries.empty()) {
    for (const std::string& id : filter.entries) {
      Result<redis::Reply> r = redis.Run({"XRANGE", keys::kDeadLetters, id, id});
      if (!r.ok()) return r.status();
      if (r->elements.empty()) return Status::NotFound("dead letter " + id + " does not exist");
      out.push_back(Parse(r->elements[0]));
    }
    return out;
  }
  // Newest first, a page at a time, until the limit or the end.
  std::string end = "+";
  while (true) {
    Result<redis::Reply> r = redis.Run({"XREVRANGE", keys::kDeadLetters, end, "-", "COUNT", std::to_string(kPage)});
    if (!r.ok()) return r.status();
    for (const redis::Reply& e : r->elements) {
      if (e.elements.size() != 2) continue;
      DeadLetter d = Parse(e);
      if (!Selected(d, filter)) continue;
      out.push_back(std::move(d));
      if (filter.limit > 0 && out.size() >= filter.limit) return out;
    }
    if (r->elements.size() < static_cast<size_t>(kPage)) return out;
    end = "(" + r->elements.back().elements[0].str;
  }
}

}  // namespace smsgw::smsctl
