#pragma once

#include <cstdint>
#include <string_view>

#include "sched/decide.h"
#include "smpp/client_types.h"

// Why a message went back to q:retry or into q:dlq, as a short fixed set of names: the `reason`
// label of smsgw_sched_retries_total and smsgw_sched_dead_letters_total (a free-text error
// would make a new time series per message). Pure.
namespace smsgw::sched {

// What went wrong with a submit, told apart as far as the metrics care.
enum class SubmitFailure : uint8_t {
  kNone,            // accepted, or not answered yet
  kTimeout,         // no submit_sm_resp in time
  kConnectionLost,  // the link went down (or was stopped) with the submit on it
  kSmscTransient,   // an SMSC status that may pass (ESME_RSYSERR, ESME_RX_T_APPN, ...)
  kRejected,        // an SMSC status that is a verdict on the message
  kInvalid,         // refused before anything was sent: the request could not be encoded
  kOther,           // any other transient failure (an unexpected answer, a generic_nack)
};
SubmitFailure SubmitFailureOf(const smpp::SubmitResult& result);

enum class RetryReason : uint8_t { kTimeout, kConnectionLost, kSmscError, kNoBoundLink, kOther };
inline constexpr RetryReason kRetryReasons[] = {RetryReason::kTimeout, RetryReason::kConnectionLost,
                                                RetryReason::kSmscError, RetryReason::kNoBoundLink,
                                                RetryReason::kOther};

enum class DeadLetterReason : uint8_t { kRejected, kInvalid, kNoRoute, kAttemptsExhausted };
inline constexpr DeadLetterReason kDeadLetterReasons[] = {DeadLetterReason::kRejected, DeadLetterReason::kInvalid,
                                                          DeadLetterReason::kNoRoute,
                                                          DeadLetterReason::kAttemptsExhausted};

// Why a message recorded with kRetry (a transient submit failure) or kWaitForLink is retried.
RetryReason RetryReasonOf(Action action, SubmitFailure failure);
// Why a message recorded with kDeadLetter is one, from the facts it was decided on.
DeadLetterReason DeadLetterReasonOf(const Facts& facts, SubmitFailure failure);

// The label values: "timeout", "connection_lost", "smsc_error", "no_bound_link", "other";
// "rejected", "invalid", "no_route", "attempts_exhausted".
std::string_view ReasonName(RetryReason reason);
std::string_view ReasonName(DeadLetterReason reason);

}  // namespace smsgw::sched
