#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "proto/smsgw.pb.h"
#include "redis/redis.h"
#include "smpp/receipt.h"

namespace smsgw::sched {

// How long a matched receipt key (and a complete parts counter) is kept, so that matching the
// same receipt again, when a pipeline is sent a second time, gives the same answer.
inline constexpr int kMatchedReceiptTtlS = 600;

// The script that matches and parks receipts (lua::kMatchReceipt), for PipelineScripts.
const redis::Script& MatchReceiptScript();

struct ReceiptSettings {
  int receipt_ttl_s = 172800;       // the parts counter lives as long as the receipt keys
  int park_s = 600;                 // an unmatched receipt is tried again this long
  int64_t unmatched_max_len = 100000;
};

// The parked set's member for an operator's receipt id ("<operator>\n<id>").
std::string ParkedMember(const std::string& operator_name, const std::string& key_id);

// The command that matches one final receipt of `operator_name`, whose id in canonical
// spelling (smpp::CanonicalMessageId, as SubmittedCommands wrote the key) is `key_id`, or parks
// it when no key is there yet. The id goes through ValidUtf8, as the ids did for the keys.
redis::Command MatchReceiptCommand(const std::string& operator_name, const std::string& key_id,
                                   const smpp::Receipt& receipt, const ReceiptSettings& settings, int64_t now_ms);

// The command that tries a parked receipt (a member of keys::kParkedReceipts) again, or
// moves it to the unmatched stream once it has been parked settings.park_s.
redis::Command RetryParkedCommand(const std::string& member, const ReceiptSettings& settings, int64_t now_ms);

// Removes a parked receipt whose final match has been dealt with (its refund, if any, done and
// its event recorded): until then it stays parked and each retry matches it again.
std::vector<redis::Command> SettleParkedCommands(const std::string& member);

enum class ReceiptMatch {
  kUnknown,          // the receipt key held something unreadable
  kMorePartsToCome,  // one part of a longer message; the others' receipts decide
  kFinal,            // `event` is the message's final status
  kParked,           // no key for it (yet): parked, tried again later
  kUnmatched,        // parked too long: kept in dlr:unmatched and counted
  kGone,             // a parked receipt that someone else settled meanwhile
};

struct MatchedReceipt {
  ReceiptMatch match = ReceiptMatch::kUnknown;
  v1::StatusEvent event;  // with kFinal: message, account, status, time, and the SMSC's
                          // stat:/err: as the error of anything not delivered
};

// Reads the script's reply. kInternal for a reply it does not understand.
Result<MatchedReceipt> ReadReceiptMatch(const redis::Reply& reply, int64_t now_ms);

// The words a receipt's event and the unmatched stream carry: "stat:<stat> err:<err>".
std::string ReceiptWords(const smpp::Receipt& receipt);

}  // namespace smsgw::sched
