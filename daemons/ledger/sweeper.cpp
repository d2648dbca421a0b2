#include "ledger/sweeper.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <string>
#include <vector>

#include "keys/keys.h"
#include "ledger/lua_scripts.h"
#include "ledger/round.h"
#include "proto/smsgw.pb.h"

namespace smsgw::ledger {
namespace {

// A due entry of ledger:hold_expiry.
struct DueHold {
  int64_t account = 0;
  std::string message_id;
};

redis::Command MarkDirty(std::vector<int64_t> accounts) {
  std::sort(accounts.begin(), accounts.end());
  accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());
  redis::Command cmd{"SADD", keys::kDirtyAccounts};
  for (int64_t a : accounts) cmd.push_back(std::to_string(a));
  return cmd;
}

}  // namespace

// Two round trips. First a SADD of the dirty marks, then the account's expiry script per due
// hold (which expires only a hold still `held`, review C1); then the `expired` events, the
// dirty marks again (as after a debit) and, last, the ZREM of the index entries. A crash
// between the two leaves the entries in the index: the next pass finds those holds `expired`
// and sends their events again (the report coalesces the duplicates) before removing them, so
// no event is lost.
Result<int> Sweeper::SweepOnce(int64_t now_ms, int max_holds) {
  auto conn = redis_.Acquire();
  Result<redis::Reply> due = conn->Run(
      {"ZRANGEBYSCORE", keys::kHoldExpiry, "-inf", std::to_string(now_ms), "LIMIT", "0", std::to_string(max_holds)});
  if (!due.ok()) return due.status();
  if (due->elements.empty()) return 0;

  std::vector<DueHold> holds;
  redis::Command unindex{"ZREM", keys::kHoldExpiry};
  std::vector<int64_t> accounts;
  for (const redis::Reply& m : due->elements) {
    unindex.push_back(m.str);  // an entry that does not parse is dropped too
    const size_t colon = m.str.find(':');
    if (colon == std::string::npos) continue;
    int64_t account = 0;
    const auto [end, ec] = std::from_chars(m.str.data(), m.str.data() + colon, account);
    if (ec != std::errc() || end != m.str.data() + colon || account <= 0) continue;
    holds.push_back({account, m.str.substr(colon + 1)});
    accounts.push_back(account);
  }

  Round expire(lua::kExpireScript);
  if (!holds.empty()) expire.Add(MarkDirty(accounts));
  for (const DueHold& h : holds) {
    std::vector<std::string> keys{keys::Account(h.account)};
    for (std::string& k : keys::HoldBuckets(h.account, now_ms, retention_ms_)) keys.push_back(std::move(k));
    expire.Invoke(keys, {h.message_id});
  }
  Result<std::vector<redis::Reply>> codes = expire.Run(*conn);
  if (!codes.ok()) return codes.status();

  std::vector<redis::Command> after;
  std::vector<int64_t> expired_accounts;
  int expired = 0;
  int resent = 0;
  for (size_t i = 0; i < holds.size(); ++i) {
    const int64_t code = (*codes)[1 + i].integer;
    if (code != 1 && code != 2) continue;
    (code == 1 ? expired : resent) += 1;
    if (code == 1) expired_accounts.push_back(holds[i].account);
    v1::StatusEvent ev;
    ev.set_message_id(holds[i].message_id);
    ev.set_account_id(holds[i].account);
    ev.set_status(v1::STATUS_EXPIRED);
    ev.set_at_ms(now_ms);
    ev.set_error("not sent before its hold expired");
    after.push_back({"XADD", keys::kReportEvents, "*", keys::kPayloadField, ev.SerializeAsString()});
  }
  if (!expired_accounts.empty()) after.push_back(MarkDirty(expired_accounts));
  after.push_back(std::move(unindex));
  if (Status s = RunPipeline(*conn, after, "sweep"); !s.ok()) return s;
  if (expired > 0 || resent > 0) {
    spdlog::info("expired {} holds{}", expired, resent > 0 ? fmt::format(" ({} events sent again)", resent) : "");
  }
  return expired;
}

}  // namespace smsgw::ledger
