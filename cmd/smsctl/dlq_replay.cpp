#include "dlq_replay.h"

#include <map>

#include "common/time.h"
#include "api/send.h"
#include "keys/keys.h"
#include "sms/uuid7.h"

namespace smsgw::smsctl {
Status ReplayDeadLetters(redis::Connection& redis, rpc::LedgerClient& ledger, int64_t hold_ttl_s,
                         const std::vector<DeadLetter>& letters, std::vector<Replayed>* done) {
  if (letters.empty()) return Status::Ok();
  const int64_t now = NowMs();
  std::vector<v1::Envelope> fresh;
  v1::DebitBatchRequest debit;
  for (const DeadLetter& d : letters) {
    v1::Envelope e = d.envelope;
    e.set_id(sms::NewUuidV7());
    e.set_attempts(0);
    e.set_accepted_at_ms(now);
    e.clear_part_ids();
    e.clear_part_operator();
    e.clear_concat_ref();
    if (e.expires_at_ms() > 0 && e.expires_at_ms() <= now) e.set_expires_at_ms(0);  // its old validity is past
    v1::DebitRequest* item = debit.add_items();
    item->set_account_id(e.account_id());
    item->set_message_id(e.id());
    item->set_cost(e.cost());
    item->set_ttl_s(hold_ttl_s);
    fresh.push_back(std::move(e));
  }
  Result<v1::DebitBatchReply> debited = ledger.DebitBatch(debit);
  if (!debited.ok()) return debited.status().WithContext("ledger");

  std::map<int64_t, int> short_of_funds;
  std::vector<const v1::Envelope*> envelopes;
  std::vector<size_t> queued;
  for (size_t i = 0; i < letters.size(); ++i) {
    const v1::LedgerResult result = debited->items(static_cast<int>(i)).result();
    if (result == v1::LEDGER_INSUFFICIENT_FUNDS) {
      ++short_of_funds[fresh[i].account_id()];
      continue;
    }
    if (result != v1::LEDGER_OK) {
      ++short_of_funds[fresh[i].account_id()];  // unknown or disabled: cannot be paid either
      continue;
    }
    envelopes.push_back(&fresh[i]);
    queued.push_back(i);
  }
  if (!envelopes.empty()) {
    // Queued as the API queues a send (its stream, the accepted event, q:active), then the
    // dead letters go, in the same pipeline.
    std::vector<redis::Command> cmds = api::EnqueueCommands(envelopes);
    for (size_t i : queued) cmds.push_back({"XDEL", keys::kDeadLetters, letters[i].entry});
    Result<std::vector<redis::Reply>> r = redis.Pipeline(cmds);
    Status s = r.ok() ? redis::PipelineStatus(cmds, *r, "replay") : r.status();
    if (!s.ok()) {
      // Not queued (or not surely): give the money back; a message queued anyway cannot be
      // captured once refunded, so it is never sent unpaid.
      v1::RefundBatchRequest refund;
      for (size_t i : queued) {
        v1::RefundRequest* item = refund.add_items();
        item->set_account_id(fresh[i].account_id());
        item->set_message_id(fresh[i].id());
        item->set_reason("dlq replay could not be queued");
      }
      (void)ledger.RefundBatch(refund);
      return Status::Unavailable("dlq replay: queueing failed, debits refunded: " + s.message());
    }
  }
  for (size_t i : queued) done->push_back({letters[i].entry, letters[i].envelope.id(), fresh[i].id(), fresh[i].account_id()});
  if (short_of_funds.empty()) return Status::Ok();
  std::string which;
  for (const auto& [account, n] : short_of_funds) {
    which += (which.empty() ? "" : ", ") + std::string("account ") + std::to_string(account) + " (" + std::to_string(n) +
             " message(s))";
  }
  return Status::InsufficientFunds("dlq replay: not enough funds, left in the dead letters: " + which);
}

}  // namespace smsgw::smsctl
