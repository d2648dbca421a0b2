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

}  // namespace

const redis::Script& MatchReceiptScript() {
  static const redis::Script script(lua::kMatchReceipt);
  return script;
}

redis::Command MatchReceiptCommand(const std::string& operator_name, const smpp::Receipt& receipt,
                                   int receipt_ttl_s) {
  const std::string state(v1::StatusName(StatusOf(receipt.state)));
  return MatchReceiptScript().Invocation({keys::Receipt(operator_name, ValidUtf8(receipt.message_id))},
                                         {state, std::to_string(receipt_ttl_s), std::to_string(kMatchedReceiptTtlS)});
}

Result<MatchedReceipt> ReadReceiptMatch(const redis::Reply& reply, const smpp::Receipt& receipt, int64_t now_ms) {
  MatchedReceipt out;
  if (reply.is_error()) return Status::Internal("receipt script: " + reply.str);
  if (reply.type != redis::Reply::Type::kArray) return out;  // nil: unknown id
  if (reply.elements.size() != 3) return Status::Internal("receipt script: unexpected reply");
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
  if (status != v1::STATUS_DELIVERED) {
    out.event.set_error(ValidUtf8("stat:" + receipt.stat + " err:" + receipt.error_code));
  }
  return out;
}

}  // namespace smsgw::sched
