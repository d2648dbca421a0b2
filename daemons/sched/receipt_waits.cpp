#include "sched/receipt_waits.h"

#include <charconv>

#include "keys/keys.h"
#include "sched/outcomes.h"

namespace smsgw::sched {

bool AsksForFinalReceipt(int registered_delivery) { return (registered_delivery & 0x03) == 0x01; }

std::string WaitingMember(int64_t account_id, const std::string& message_id) {
  return std::to_string(account_id) + ":" + message_id;
}

std::optional<WaitingMessage> ParseWaitingMember(const std::string& member) {
  const size_t colon = member.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == member.size()) return std::nullopt;
  WaitingMessage out;
  const char* end = member.data() + colon;
  const auto [p, ec] = std::from_chars(member.data(), end, out.account_id);
  if (ec != std::errc() || p != end || out.account_id <= 0) return std::nullopt;
  out.message_id = member.substr(colon + 1);
  return out;
}

redis::Command WaitForReceiptCommand(const v1::Envelope& envelope, int64_t due_ms) {
  return {"ZADD", keys::kReceiptWaits, std::to_string(due_ms), WaitingMember(envelope.account_id(), envelope.id())};
}

std::string NoReceiptError(int wait_s) { return "no delivery receipt within " + std::to_string(wait_s) + " s"; }

std::vector<redis::Command> NoReceiptCommands(const std::string& member, int wait_s, int64_t now_ms) {
  std::vector<redis::Command> cmds;
  if (std::optional<WaitingMessage> m = ParseWaitingMember(member)) {
    v1::StatusEvent ev;
    ev.set_message_id(m->message_id);
    ev.set_account_id(m->account_id);
    ev.set_status(v1::STATUS_EXPIRED);
    ev.set_at_ms(now_ms);
    ev.set_error(NoReceiptError(wait_s));
    cmds.push_back(EventCommand(std::move(ev)));
  }
  cmds.push_back({"ZREM", keys::kReceiptWaits, member});
  return cmds;
}

redis::Command DueWaitsCommand(int64_t now_ms, int max) {
  return {"ZRANGEBYSCORE", keys::kReceiptWaits, "-inf", std::to_string(now_ms), "LIMIT", "0", std::to_string(max)};
}

}  // namespace smsgw::sched
