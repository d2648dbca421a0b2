#include "sched/ledger_calls.h"

#include <algorithm>

namespace smsgw::sched {
namespace {

// The ledger refuses a whole batch for one item that cannot name a hold (smsgw.proto): such a
// message was never debited, so it is answered here and never sent along, lest one corrupt
// envelope stop every read behind it.
bool NamesAHold(const Job* job) { return job->msg.envelope.account_id() > 0 && !job->msg.envelope.id().empty(); }

// Moves the jobs that cannot name a hold out of `jobs`, into `unnamed`.
void SetAsideUnnamed(std::vector<Job*>& jobs, std::vector<Job*>& unnamed) {
  auto named = std::stable_partition(jobs.begin(), jobs.end(), NamesAHold);
  unnamed.assign(named, jobs.end());
  jobs.erase(named, jobs.end());
}

// Calls `call(begin, end)` for each run of at most kMaxLedgerBatch of `n` jobs, so no call
// exceeds the ledger's limit; returns the first failure.
template <typename Call>
Status InChunks(size_t n, Call call) {
  Status first = Status::Ok();
  for (size_t begin = 0; begin < n; begin += kMaxLedgerBatch) {
    Status s = call(begin, std::min(n, begin + kMaxLedgerBatch));
    if (!s.ok() && first.ok()) first = std::move(s);
  }
  return first;
}

}  // namespace

Status CaptureHolds(rpc::LedgerClient& ledger, std::vector<Job*>& all) {
  std::vector<Job*> jobs = all;
  std::vector<Job*> unnamed;
  SetAsideUnnamed(jobs, unnamed);
  for (Job* job : unnamed) job->facts.capture = CaptureFact::kNoHold;
  return InChunks(jobs.size(), [&](size_t begin, size_t end) {
    v1::CaptureBatchRequest req;
    for (size_t i = begin; i < end; ++i) {
      v1::CaptureRequest* item = req.add_items();
      item->set_account_id(jobs[i]->msg.envelope.account_id());
      item->set_message_id(jobs[i]->msg.envelope.id());
    }
    Result<v1::CaptureBatchReply> reply = ledger.CaptureBatch(req);
    for (size_t i = begin; i < end; ++i) {
      jobs[i]->facts.capture =
          reply.ok() ? CaptureFactOf(reply->items(static_cast<int>(i - begin)).result()) : CaptureFact::kCallFailed;
    }
    return reply.status();
  });
}

Status RefundHolds(rpc::LedgerClient& ledger, std::vector<Job*>& all) {
  std::vector<Job*> jobs = all;
  std::vector<Job*> unnamed;
  SetAsideUnnamed(jobs, unnamed);
  for (Job* job : unnamed) job->facts.refund = RefundFact::kDone;  // nothing was taken
  return InChunks(jobs.size(), [&](size_t begin, size_t end) {
    v1::RefundBatchRequest req;
    for (size_t i = begin; i < end; ++i) {
      v1::RefundRequest* item = req.add_items();
      item->set_account_id(jobs[i]->msg.envelope.account_id());
      item->set_message_id(jobs[i]->msg.envelope.id());
      item->set_reason(jobs[i]->refund_reason);
    }
    Result<v1::RefundBatchReply> reply = ledger.RefundBatch(req);
    for (size_t i = begin; i < end; ++i) {
      jobs[i]->facts.refund = reply.ok() ? RefundFact::kDone : RefundFact::kCallFailed;
    }
    return reply.status();
  });
}

}  // namespace smsgw::sched
