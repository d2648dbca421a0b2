#include "sched/outcomes.h"

#include <algorithm>

#include "keys/keys.h"
#include "sched/receipt_waits.h"
#include "sched/valid_utf8.h"

namespace smsgw::sched {

std::vector<redis::Command> AckCommands(const QueuedMessage& m) {
  return {{"XACK", m.stream, keys::kSchedGroup, m.entry_id}, {"XDEL", m.stream, m.entry_id}};
}

v1::StatusEvent MakeEvent(const v1::Envelope& e, v1::MessageStatus status, int64_t at_ms) {
  v1::StatusEvent ev;
  ev.set_message_id(e.id());
  ev.set_account_id(e.account_id());
  ev.set_status(status);
  ev.set_at_ms(at_ms);
  return ev;
}

redis::Command EventCommand(v1::StatusEvent event) {
  // These two carry the SMSC's words; everything else is ours or the API's, already UTF-8.
  event.set_operator_message_id(ValidUtf8(event.operator_message_id()));
  event.set_error(ValidUtf8(event.error()));
  return {"XADD", keys::kReportEvents, "*", keys::kPayloadField, event.SerializeAsString()};
}

std::vector<redis::Command> SubmittedCommands(const QueuedMessage& m, const std::string& operator_name,
                                              const std::vector<std::string>& operator_ids,
                                              const std::vector<std::string>& key_ids, int receipt_ttl_s,
                                              int64_t now_ms, int64_t receipt_due_ms) {
  const v1::Envelope& e = m.envelope;
  std::vector<redis::Command> cmds;
  const std::string target = std::to_string(e.account_id()) + ":" + e.id() + ":" + std::to_string(operator_ids.size());
  std::string joined;
  for (size_t i = 0; i < operator_ids.size(); ++i) {
    const std::string key_id = ValidUtf8(i < key_ids.size() ? key_ids[i] : operator_ids[i]);
    if (!key_id.empty()) {
      cmds.push_back({"SET", keys::Receipt(operator_name, key_id), target, "EX", std::to_string(receipt_ttl_s)});
    }
    joined += (i == 0 ? "" : ",") + ValidUtf8(operator_ids[i]);
  }
  if (receipt_due_ms > 0) cmds.push_back(WaitForReceiptCommand(e, receipt_due_ms));
  v1::StatusEvent ev = MakeEvent(e, v1::STATUS_SUBMITTED, now_ms);
  ev.set_operator_name(operator_name);
  ev.set_operator_message_id(joined);
  cmds.push_back(EventCommand(std::move(ev)));
  // Kept a day at most: it outlives its ack only when the process died right after the ack.
  cmds.push_back({"SET", keys::SubmittedMark(e.id()), "1", "EX", "86400"});
  for (auto& c : AckCommands(m)) cmds.push_back(std::move(c));
  cmds.push_back({"DEL", keys::SubmittedMark(e.id())});
  return cmds;
}

std::vector<redis::Command> AlreadySubmittedCommands(const QueuedMessage& m) {
  std::vector<redis::Command> cmds = AckCommands(m);
  cmds.push_back({"DEL", keys::SubmittedMark(m.envelope.id())});
  return cmds;
}

std::vector<redis::Command> RetryCommands(const QueuedMessage& m, const v1::Envelope& envelope, int32_t attempts,
                                          int64_t due_ms) {
  v1::Envelope e = envelope;
  e.set_attempts(attempts);
  std::vector<redis::Command> cmds{{"ZADD", keys::kRetry, std::to_string(due_ms), m.stream + "\n" + e.SerializeAsString()}};
  for (auto& c : AckCommands(m)) cmds.push_back(std::move(c));
  return cmds;
}

std::vector<redis::Command> FinalCommands(const QueuedMessage& m, v1::MessageStatus status, const std::string& error,
                                          int64_t now_ms) {
  v1::StatusEvent ev = MakeEvent(m.envelope, status, now_ms);
  ev.set_error(error);
  std::vector<redis::Command> cmds{EventCommand(std::move(ev))};
  for (auto& c : AckCommands(m)) cmds.push_back(std::move(c));
  return cmds;
}

std::vector<redis::Command> DeadLetterCommands(const QueuedMessage& m, const std::string& error, int64_t now_ms,
                                               int64_t dlq_max_len) {
  std::vector<redis::Command> cmds{{"XADD", keys::kDeadLetters, "MAXLEN", "~", std::to_string(dlq_max_len), "*",
                                    keys::kPayloadField,
                                    m.envelope.SerializeAsString(), "stream", m.stream, "error", ValidUtf8(error), "attempts",
                                    std::to_string(m.envelope.attempts()), "at_ms", std::to_string(now_ms)}};
  v1::StatusEvent ev = MakeEvent(m.envelope, v1::STATUS_FAILED, now_ms);
  ev.set_error(error);
  cmds.push_back(EventCommand(std::move(ev)));
  for (auto& c : AckCommands(m)) cmds.push_back(std::move(c));
  return cmds;
}

int64_t BackoffMs(int attempt, double unit_random, int64_t base_ms, int64_t cap_ms) {
  const int shift = std::clamp(attempt, 0, 20);
  const int64_t ceiling = std::min(cap_ms, base_ms << shift);
  return std::max(base_ms / 2, static_cast<int64_t>(unit_random * static_cast<double>(ceiling)));
}

}  // namespace smsgw::sched
