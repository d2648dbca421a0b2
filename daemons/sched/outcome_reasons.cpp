#include "sched/outcome_reasons.h"

namespace smsgw::sched {

SubmitFailure SubmitFailureOf(const smpp::SubmitResult& result) {
  if (result.ok()) return SubmitFailure::kNone;
  if (result.command_status != 0) {
    return result.permanent() ? SubmitFailure::kRejected : SubmitFailure::kSmscTransient;
  }
  if (result.permanent()) return SubmitFailure::kInvalid;
  // The words smpp::Client fails a submit with when no SMSC status is involved.
  if (result.detail == "timeout") return SubmitFailure::kTimeout;
  if (result.detail == "connection lost" || result.detail == "client stopped") return SubmitFailure::kConnectionLost;
  return SubmitFailure::kOther;
}

RetryReason RetryReasonOf(Action action, SubmitFailure failure) {
  if (action == Action::kWaitForLink) return RetryReason::kNoBoundLink;
  switch (failure) {
    case SubmitFailure::kTimeout: return RetryReason::kTimeout;
    case SubmitFailure::kConnectionLost: return RetryReason::kConnectionLost;
    case SubmitFailure::kSmscTransient: return RetryReason::kSmscError;
    default: return RetryReason::kOther;
  }
}

DeadLetterReason DeadLetterReasonOf(const Facts& facts, SubmitFailure failure) {
  switch (facts.submit) {
    case SubmitFact::kTransient: return DeadLetterReason::kAttemptsExhausted;
    case SubmitFact::kPermanent:
      return failure == SubmitFailure::kRejected ? DeadLetterReason::kRejected : DeadLetterReason::kInvalid;
    default: break;
  }
  // Never sent: Decide dead-letters only a destination no route serves or a text that cannot
  // be encoded.
  return facts.has_route ? DeadLetterReason::kInvalid : DeadLetterReason::kNoRoute;
}

std::string_view ReasonName(RetryReason reason) {
  switch (reason) {
    case RetryReason::kTimeout: return "timeout";
    case RetryReason::kConnectionLost: return "connection_lost";
    case RetryReason::kSmscError: return "smsc_error";
    case RetryReason::kNoBoundLink: return "no_bound_link";
    case RetryReason::kOther: break;
  }
  return "other";
}

std::string_view ReasonName(DeadLetterReason reason) {
  switch (reason) {
    case DeadLetterReason::kRejected: return "rejected";
    case DeadLetterReason::kInvalid: return "invalid";
    case DeadLetterReason::kNoRoute: return "no_route";
    case DeadLetterReason::kAttemptsExhausted: break;
  }
  return "attempts_exhausted";
}

}  // namespace smsgw::sched
