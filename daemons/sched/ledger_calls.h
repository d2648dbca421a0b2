#pragma once

#include <vector>

#include "common/status.h"
#include "rpc/clients.h"
#include "sched/job.h"

namespace smsgw::sched {

// The most items one batch RPC may carry (smsgw.proto); larger sets take several calls.
inline constexpr size_t kMaxLedgerBatch = 5000;

// Captures the holds of `jobs` with CaptureBatch and sets each job's facts.capture. A call that
// fails marks its jobs kCallFailed and its status is returned (the first, for the log). A job
// whose envelope names no hold (no account id or no message id) is kNoHold without asking.
Status CaptureHolds(rpc::LedgerClient& ledger, std::vector<Job*>& jobs);

// Refunds the holds of `jobs` (each with its refund_reason) with RefundBatch and sets each
// job's facts.refund: kDone for any answer (returned now, before, or nothing to return),
// kCallFailed for the jobs of a call that failed; kDone without asking when it names no hold.
Status RefundHolds(rpc::LedgerClient& ledger, std::vector<Job*>& jobs);

}  // namespace smsgw::sched
