#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "dlq_store.h"
#include "redis/redis.h"
#include "rpc/clients.h"

namespace smsgw::smsctl {

struct Replayed {
  std::string entry;
  std::string old_id;
  std::string new_id;
  int64_t account_id = 0;
};

// Sends `letters` again as new messages. A dead letter's hold was refunded when it died and a
// refunded hold stays refunded (the ledger refunds a message id once), so each replay is a new
// message: a new UUIDv7 id, debited again (one DebitBatch, hold TTL `hold_ttl_s`), queued
// where it came from with attempts 0 and an `accepted` event, and its dead letter deleted, in
// one pipeline. The dead message keeps its `failed` status: statuses never move back, and the
// money stays exact (one refund for the old id, one debit for the new). Those whose account
// lacks the funds stay dead letters and the result is kInsufficientFunds naming the accounts;
// the others are replayed. If the queueing fails, their debits are refunded (kUnavailable).
// `done` gets the replayed ones.
Status ReplayDeadLetters(redis::Connection& redis, rpc::LedgerClient& ledger, int64_t hold_ttl_s,
                         const std::vector<DeadLetter>& letters, std::vector<Replayed>* done);

}  // namespace smsgw::smsctl
