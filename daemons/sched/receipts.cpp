#include "sched/receipts.h"

#include <charconv>

#include "keys/keys.h"
#include "proto/names.h"
#include "sched/lua_scripts.h"
#include "sched/valid_utf8.h"

namespace smsgw::sched {
namespace {

v1::MessageStatus StatusOf(smpp::ReceiptState s) {
  switch (s) {
    case smpp::ReceiptState::kDelivered: return v1::STATUS_DELIVERED;
    case smpp::ReceiptState::kExpired: return v1::STATUS_EXPIRED;
    default: return v1::STATUS_UNDELIVERED;
  }
}

redis::Command Invocation(const std::string& member, const std::string& state, const std::string& mode,
                          const std::string& words, const ReceiptSettings& s, int64_t now_ms) {
  const size_t nl = member.find('\n');
  const std::string op = member.substr(0, nl);
  const std::string id = nl == std::string::npos ? "" : member.substr(nl + 1);
  return MatchReceiptScript().Invocation(
      {keys::Receipt(op, id), keys::ParkedReceipt(op, id), keys::kParkedReceipts, keys::kUnmatchedReceipts,
       keys::kUnmatchedCount, keys::kReceiptWaits},
      {state, std::to_string(s.receipt_ttl_s), std::to_string(kMatchedReceiptTtlS), mode, member,
       std::to_string(now_ms), std::to_string(s.park_s + 60), std::to_string(now_ms - int64_t{s.park_s} * 1000), words,
       std::to_string(s.unmatched_max_len)});
}

}  // namespace

const redis::Script& MatchReceiptScript() {
  static const redis::Script script(lua::kMatchReceipt);
  return script;
}

std::string ParkedMember(const std::string& operator_name, const std::string& key_id) {
  return operator_name + "\n" + ValidUtf8(key_id);
}

std::string ReceiptWords(const smpp::Receipt& receipt) {
  return ValidUtf8("stat:" + receipt.stat + " err:" + receipt.error_code);
}

redis::Command MatchReceiptCommand(const std::string& operator_name, const std::string& key_id,
                                   const smpp::Receipt& receipt, const ReceiptSettings& settings, int64_t now_ms) {
  const std::string state(v1::StatusName(StatusOf(receipt.state)));
  return Invocation(ParkedMember(operator_name, key_id), state, "new", ReceiptWords(receipt), settings, now_ms);
}

redis::Command RetryParkedCommand(const std::string& member, const ReceiptSettings& settings, int64_t now_ms) {
  return Invocation(member, "", "parked", "", settings, now_ms);
}

std::vector<redis::Command> SettleParkedCommands(const std::string& member) {
  const size_t nl = member.find('\n');
  const std::string id = nl == std::string::npos ? "" : member.substr(nl + 1);
  return {{"DEL", keys::ParkedReceipt(member.substr(0, nl), id)}, {"ZREM", keys::kParkedReceipts, member}};
}

Result<MatchedReceipt> ReadReceiptMatch(const redis::Reply& reply, int64_t now_ms) {
  MatchedReceipt out;
  if (reply.is_error()) return Status::Internal("receipt script: " + reply.str);
  if (reply.type != redis::Reply::Type::kArray) return out;  // nil: an unreadable key
  if (reply.elements.size() == 1) {
    const std::string& what = reply.elements[0].str;
    if (what == "parked") out.match = ReceiptMatch::kParked;
    else if (what == "unmatched") out.match = ReceiptMatch::kUnmatched;
    else if (what == "gone") out.match = ReceiptMatch::kGone;
    else return Status::Internal("receipt script: unexpected '" + what + "'");
    return out;
  }
  if (reply.elements.size() != 4) return Status::Internal("receipt script: unexpected reply");
  const std::string& account = reply.elements[0].str;
  const std::string& state = reply.elements[2].str;
  if (state.empty()) {
    out.match = ReceiptMatch::kMorePartsToCome;
    return out;
  }
  int64_t account_id = 0;
  const auto [end, ec] = std::from_chars(account.data(), account.data() + account.size(), account_id);
  if (ec != std::errc() || end != account.data() + account.size()) {
    return Status::Internal("receipt script: bad account '" + account + "'");
  }
  const v1::MessageStatus status = v1::StatusFromName(state);
  if (StatusRank(status) != 3) return Status::Internal("receipt script: bad state '" + state + "'");
  out.match = ReceiptMatch::kFinal;
  out.event.set_account_id(account_id);
  out.event.set_message_id(reply.elements[1].str);
  out.event.set_status(status);
  out.event.set_at_ms(now_ms);
  if (status != v1::STATUS_DELIVERED) out.event.set_error(reply.elements[3].str);
  return out;
}

}  // namespace smsgw::sched
