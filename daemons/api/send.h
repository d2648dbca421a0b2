#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "api/account.h"
#include "common/status.h"
#include "proto/smsgw.pb.h"
#include "redis/redis.h"
#include "api/send_request.h"
#include "sms/encoding.h"

// Accepting one message (DESIGN.md section 2, steps 2-4) as a plain function of its
// dependencies, so it can be tested with fakes and later moved onto async gRPC (the
// dependencies become callbacks) without rewriting the steps.
namespace smsgw::api {

// What SendMessage needs from the world. All must be set; each may block.
struct SendDeps {
  // Ledger.Debit; a non-OK Result means the call itself failed (transport, ledger error).
  std::function<Result<v1::DebitReply>(const v1::DebitRequest&)> debit;
  // Ledger.Refund, used when the enqueue fails after a successful debit.
  std::function<Result<v1::RefundReply>(int64_t account_id, const std::string& message_id, const std::string& reason)>
      refund;
  // One Redis round trip (redis::Connection::Pipeline semantics: per-slot errors in the slots).
  std::function<Result<std::vector<redis::Reply>>(const std::vector<redis::Command>&)> pipeline;
  std::function<std::string()> new_id;  // a UUIDv7
  std::function<int64_t()> now_ms;      // wall clock, Unix ms
  std::string default_region = "IR";    // for numbers without a country code
  int64_t hold_ttl_s = 86400;           // the debit hold's lifetime
};

// A message that passed the checks and has its price.
struct PricedMessage {
  std::string to;  // E.164
  std::string from;
  sms::TextInfo text;
  int64_t cost = 0;
};

// Checks the number, sender and text of `req` and prices it for `account`. Pure (no I/O).
// Errors: InvalidArgument naming the field ("to: not a valid phone number", "text: ...",
// "from: ..."); Internal if the price overflows.
Result<PricedMessage> PriceMessage(const SendRequest& req, const Account& account, const std::string& default_region);

// Checks, prices, debits and enqueues one message; returns its envelope (id, cost, ...).
// Errors: InvalidArgument (bad field), InsufficientFunds ("cost N, balance M"),
// PermissionDenied (account disabled), Unauthenticated (account unknown to the ledger),
// Unavailable (ledger or Redis down: nothing is left charged, the hold is refunded or expires),
// Internal (an impossible ledger reply).
Result<v1::Envelope> SendMessage(const SendDeps& deps, const Account& account, const SendRequest& req);

// The envelope and accepted event of a debited message.
v1::Envelope MakeEnvelope(const Account& account, const SendRequest& req, const PricedMessage& priced,
                          const std::string& id, int64_t now_ms);
v1::StatusEvent AcceptedEvent(const v1::Envelope& envelope);

// The enqueue pipeline: normal -> XADD {a:<id>}:q, SADD q:active <id>; express -> XADD q:express;
// then XADD ev:report. Entries hold the protobuf in field keys::kPayloadField.
std::vector<redis::Command> EnqueueCommands(const v1::Envelope& envelope, const v1::StatusEvent& event);

}  // namespace smsgw::api
