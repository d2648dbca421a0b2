#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proto/smsgw.pb.h"
#include "redis/redis.h"

// Messages waiting for their delivery receipt (docs/decisions.md, "A receipt that never
// comes"). Some receipts can never come: the SMSC accepted a part without a message id
// (review F9), gave two messages one id so the second's key replaced the first's, or simply
// never sends one. Each submitted message whose operator was asked for a final receipt is kept
// in the sorted set keys::kReceiptWaits, scored by the time it stops waiting; its final
// receipt's match takes it out (lua::kMatchReceipt), and a periodic sweep finalises those still
// there as `expired`, "no delivery receipt within N s". The operator took the message, so its
// charge stands: no refund. Pure: no I/O here.
namespace smsgw::sched {

// Whether submits with this registered_delivery get a receipt whatever the outcome (SMPP 3.4
// section 5.2.17: bits 0-1 = 01). With 00 none comes, with 10 only failures are told, so a
// message delivered would wait for nothing: such messages are not kept waiting.
bool AsksForFinalReceipt(int registered_delivery);

// The member for one message: "<account>:<message id>", as the receipt key's value starts.
std::string WaitingMember(int64_t account_id, const std::string& message_id);

// The member's account and message id; nullopt when it is not a member.
struct WaitingMessage {
  int64_t account_id = 0;
  std::string message_id;
};
std::optional<WaitingMessage> ParseWaitingMember(const std::string& member);

// ZADD of the message, waiting until `due_ms`. Sent in the pipeline of its submitted event.
redis::Command WaitForReceiptCommand(const v1::Envelope& envelope, int64_t due_ms);

// "no delivery receipt within N s": the error of the expired event.
std::string NoReceiptError(int wait_s);

// What the sweep writes for a member whose time is up: the expired event (at `now_ms`), then
// the member's removal, so that a crash between the two leaves it to be swept again (a second
// event for a message is harmless: smsgw-report keeps its first final status). A member that
// cannot be read is only removed.
std::vector<redis::Command> NoReceiptCommands(const std::string& member, int wait_s, int64_t now_ms);

// The command listing the members due by `now_ms`, at most `max`.
redis::Command DueWaitsCommand(int64_t now_ms, int max);

}  // namespace smsgw::sched
