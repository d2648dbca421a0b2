#pragma once

#include <string>
#include <vector>

#include "sched/decide.h"
#include "sched/outcome_reasons.h"
#include "sched/queue_reader.h"
#include "smpp/client_types.h"

namespace smsgw::sched {

// One message on its way through the scheduler: read, decided on (Decide) step by step as the
// facts come in, and released once its outcome is written. Held by the loop thread, except
// while its submit is with an operator link.
struct Job {
  QueuedMessage msg;
  Facts facts;
  int route = -1;                         // the bound route chosen, when there is one
  smpp::SubmitRequest request;            // the encoded parts, ready to submit
  std::string operator_name;              // the route it was submitted through
  std::vector<std::string> operator_ids;  // the SMSC's ids of its parts, once accepted (some,
                                          // after a failure: those parts are not sent again)
  uint16_t concat_ref = 0;                // the reference its parts went out with
  std::string refund_reason;              // for the ledger, while a refund is asked
  SubmitFailure failure = SubmitFailure::kNone;  // how its last submit failed (for metrics)
};

// "<stream>\n<entry id>": names a job's stream entry among those this consumer holds.
inline std::string EntryKey(const QueuedMessage& m) { return m.stream + "\n" + m.entry_id; }

}  // namespace smsgw::sched
