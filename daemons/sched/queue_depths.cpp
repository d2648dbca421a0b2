#include "sched/queue_depths.h"

#include <spdlog/spdlog.h>

#include <charconv>

#include "keys/keys.h"

namespace smsgw::sched {
namespace {

constexpr const char* kScanPage = "1000";
constexpr int kPagesPerSkippedPoll = 10;

int64_t IntOf(const redis::Reply& r) { return r.AsInt().ok() ? *r.AsInt() : 0; }

// A member of q:active, an account id; 0 for anything else (not our writing: skipped).
int64_t AccountOf(const std::string& member) {
  int64_t id = 0;
  auto [end, ec] = std::from_chars(member.data(), member.data() + member.size(), id);
  return ec == std::errc() && end == member.data() + member.size() ? id : 0;
}

}  // namespace

QueueDepths::QueueDepths(const config::RedisConfig& redis, metrics::Registry& registry)
    : config_(redis),
      depth_(registry.AddGauge("smsgw_sched_queue_depth", "Messages waiting, by service level (read every 5 s).",
                               {"level"})),
      express_(depth_.Labels({"express"})),
      normal_(depth_.Labels({"normal"})),
      retry_(depth_.Labels({"retry"})),
      dlq_(registry.AddGauge("smsgw_sched_dlq_size", "Dead letters kept in q:dlq (read every 5 s).").Get()),
      poller_("queue depths", kEvery, [this] {
        if (Status s = Poll(); !s.ok()) spdlog::warn("reading queue depths for metrics: {}", s.ToString());
      }) {}

QueueDepths::~QueueDepths() { poller_.Stop(); }

Status QueueDepths::Poll() {
  if (!conn_) {
    Result<std::unique_ptr<redis::Connection>> c = redis::Connection::Open(config_);
    if (!c.ok()) return c.status();
    conn_ = std::move(c).value();
  }
  const std::vector<redis::Command> fixed = {
      {"XLEN", keys::kExpressQueue}, {"ZCARD", keys::kRetry}, {"XLEN", keys::kDeadLetters}};
  Result<std::vector<redis::Reply>> r = conn_->Pipeline(fixed);
  if (!r.ok()) return r.status();
  if (Status s = redis::PipelineStatus(fixed, *r); !s.ok()) return s;
  express_.Set(static_cast<double>(IntOf((*r)[0])));
  retry_.Set(static_cast<double>(IntOf((*r)[1])));
  dlq_.Set(static_cast<double>(IntOf((*r)[2])));
  if (skip_normal_ > 0) {
    --skip_normal_;
    return Status::Ok();
  }
  int pages = 0;
  Result<int64_t> normal = NormalBacklog(&pages);
  if (!normal.ok()) return normal.status();
  normal_.Set(static_cast<double>(*normal));
  skip_normal_ = pages / kPagesPerSkippedPoll;
  return Status::Ok();
}

Result<int64_t> QueueDepths::NormalBacklog(int* pages) {
  int64_t total = 0;
  std::vector<redis::Command> cmds = {{"SSCAN", keys::kActiveAccounts, "0", "COUNT", kScanPage}};
  while (true) {
    // The XLENs of the page before, then the next page.
    Result<std::vector<redis::Reply>> r = conn_->Pipeline(cmds);
    if (!r.ok()) return r.status();
    for (size_t i = 0; i + 1 < r->size(); ++i) total += IntOf((*r)[i]);
    const redis::Reply& scan = r->back();
    if (scan.is_error() || scan.elements.size() != 2) return Status::Internal("redis SSCAN q:active: " + scan.str);
    ++*pages;
    const std::string& cursor = scan.elements[0].str;
    cmds.clear();
    for (const redis::Reply& member : scan.elements[1].elements) {
      if (const int64_t account = AccountOf(member.str); account > 0) cmds.push_back({"XLEN", keys::AccountQueue(account)});
    }
    if (cursor == "0") break;
    cmds.push_back({"SSCAN", keys::kActiveAccounts, cursor, "COUNT", kScanPage});
  }
  if (!cmds.empty()) {
    Result<std::vector<redis::Reply>> r = conn_->Pipeline(cmds);
    if (!r.ok()) return r.status();
    for (const redis::Reply& len : *r) total += IntOf(len);
  }
  return total;
}

}  // namespace smsgw::sched
