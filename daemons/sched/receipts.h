#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "proto/smsgw.pb.h"
#include "redis/redis.h"
#include "smpp/receipt.h"

namespace smsgw::sched {

// How long a matched receipt key (and a complete parts counter) is kept, so that matching the
// same receipt again, when a pipeline is sent a second time, gives the same answer.
inline constexpr int kMatchedReceiptTtlS = 600;

// The script that matches receipts (lua::kMatchReceipt), for PipelineScripts.
const redis::Script& MatchReceiptScript();

// The command that matches one final receipt of `operator_name` to its message. The
// receipt's message id goes through ValidUtf8, as the ids did when their keys were written.
redis::Command MatchReceiptCommand(const std::string& operator_name, const smpp::Receipt& receipt,
                                   int receipt_ttl_s);

enum class ReceiptMatch {
  kUnknown,         // no message has that operator id (expired, or never ours)
  kMorePartsToCome,  // one part of a longer message; the others' receipts decide
  kFinal,           // `event` is the message's final status
};

struct MatchedReceipt {
  ReceiptMatch match = ReceiptMatch::kUnknown;
  v1::StatusEvent event;  // with kFinal: message, account, status, time, and the SMSC's
                          // stat:/err: as the error of anything not delivered
};

// Reads the script's reply for `receipt`. kInternal for a reply it does not understand.
Result<MatchedReceipt> ReadReceiptMatch(const redis::Reply& reply, const smpp::Receipt& receipt, int64_t now_ms);

}  // namespace smsgw::sched
