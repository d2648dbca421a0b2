#include "sched/ledger_calls.h"

#include <algorithm>

namespace smsgw::sched {

Status CaptureHolds(rpc::LedgerClient& ledger, std::vector<Job*>& jobs) {
  Status first = Status::Ok();
  for (size_t begin = 0; begin < jobs.size(); begin += kMaxLedgerBatch) {
    const size_t end = std::min(jobs.size(), begin + kMaxLedgerBatch);
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
    if (!reply.ok() && first.ok()) first = reply.status();
  }
  return first;
}

Status RefundHolds(rpc::LedgerClient& ledger, std::vector<Job*>& jobs) {
  Status first = Status::Ok();
  for (size_t begin = 0; begin < jobs.size(); begin += kMaxLedgerBatch) {
    const size_t end = std::min(jobs.size(), begin + kMaxLedgerBatch);
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
    if (!reply.ok() && first.ok()) first = reply.status();
  }
  return first;
}

}  // namespace smsgw::sched
