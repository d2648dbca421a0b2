#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "api/account.h"
#include "api/send_request.h"
#include "common/status.h"
#include "proto/smsgw.pb.h"
#include "redis/redis.h"
#include "sms/encoding.h"

// Accepting messages (DESIGN.md section 2, steps 2-4) as plain functions of their dependencies,
// so they can be tested with fakes. Checking and pricing one message is pure (PrepareMessage);
// debiting and enqueueing works on a whole batch of prepared messages at once (DebitAndEnqueue),
// one ledger call and one Redis pipeline however many messages, whether the batch is a
// customer's or single requests coalesced by SendBatcher.
namespace smsgw::api {

// What DebitAndEnqueue needs from the world. All must be set; each may block (SendBatcher calls
// them on its own threads, never on an HTTP I/O thread).
struct SendDeps {
  // Ledger.DebitBatch; a non-OK Result means the call itself failed (transport, timeout).
  std::function<Result<v1::DebitBatchReply>(const v1::DebitBatchRequest&)> debit;
  // Ledger.RefundBatch, for debits whose enqueue failed or whose reply was lost.
  std::function<Result<v1::RefundBatchReply>(const v1::RefundBatchRequest&)> refund;
  // One Redis round trip (redis::Connection::Pipeline semantics: per-slot errors in the slots).
  std::function<Result<std::vector<redis::Reply>>(const std::vector<redis::Command>&)> pipeline;
  int64_t hold_ttl_s = 86400;  // the debit hold's lifetime
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

// PriceMessage, then the envelope with id `id` accepted at `now_ms`. Pure.
Result<v1::Envelope> PrepareMessage(const SendRequest& req, const Account& account, const std::string& default_region,
                                    const std::string& id, int64_t now_ms);

// Debits every envelope in one ledger call, then enqueues the debited ones with their accepted
// events in one Redis pipeline. Returns one Status per envelope, in order: OK (debited and
// queued), InsufficientFunds ("cost N, balance M"), PermissionDenied (account disabled),
// Unauthenticated (account unknown to the ledger), Internal (an impossible ledger reply), or
// Unavailable (the ledger or Redis failed: nothing is left charged; the holds are refunded, or
// expire after hold_ttl_s if the refund fails too).
std::vector<Status> DebitAndEnqueue(const SendDeps& deps, const std::vector<v1::Envelope>& envelopes);

// The envelope and accepted event of a debited message.
v1::Envelope MakeEnvelope(const Account& account, const SendRequest& req, const PricedMessage& priced,
                          const std::string& id, int64_t now_ms);
v1::StatusEvent AcceptedEvent(const v1::Envelope& envelope);

// The enqueue pipeline of debited messages: per message XADD {a:<id>}:q (normal) or
// XADD q:express (express), then XADD ev:report; last, one SADD q:active of every account
// with a normal message. The SADD comes after the XADDs so the scheduler never finds an
// account marked active whose stream is still empty (it would unmark it and strand the
// message). Entries hold the protobuf in field keys::kPayloadField.
std::vector<redis::Command> EnqueueCommands(const std::vector<const v1::Envelope*>& envelopes);

}  // namespace smsgw::api
