#include "sched/decide.h"

#include "smpp/command_status.h"

namespace smsgw::sched {
namespace {

// An outcome that returns the money before it is recorded: refund first, so that a crash
// between the two reads the message again, and its capture then fails (refunded) and it is
// never sent; the money is never lost.
Outcome AfterRefund(const Facts& f, Outcome final_outcome) {
  switch (f.refund) {
    case RefundFact::kNotAsked: return {Action::kRefund, final_outcome.attempts, final_outcome.error};
    case RefundFact::kCallFailed: return {Action::kAskLedgerAgain, f.attempts, ""};
    case RefundFact::kDone: break;
  }
  return final_outcome;
}

Outcome AfterSubmit(const Facts& f) {
  switch (f.submit) {
    case SubmitFact::kOk: return {Action::kSubmitted, f.attempts, ""};
    case SubmitFact::kNotBound: return {Action::kWaitForLink, f.attempts, ""};
    case SubmitFact::kThrottled: return {Action::kThrottled, f.attempts, f.submit_detail};
    case SubmitFact::kTransient:
      if (f.attempts + 1 < f.max_attempts) return {Action::kRetry, f.attempts + 1, f.submit_detail};
      break;
    case SubmitFact::kPermanent:
    case SubmitFact::kNotSent: break;
  }
  return AfterRefund(f, {Action::kDeadLetter, f.attempts + 1, f.submit_detail});
}

}  // namespace

Outcome Decide(const Facts& f) {
  if (!f.decoded) return {Action::kDrop, 0, ""};
  if (f.already_submitted) return {Action::kAlreadySubmitted, f.attempts, ""};
  if (f.submit != SubmitFact::kNotSent) return AfterSubmit(f);
  if (f.expires_at_ms > 0 && f.now_ms > f.expires_at_ms) {
    return AfterRefund(f, {Action::kExpired, f.attempts, "validity period passed before sending"});
  }
  if (!f.has_route) return AfterRefund(f, {Action::kDeadLetter, f.attempts, "no route for " + f.destination});
  if (!f.encode_error.empty()) return AfterRefund(f, {Action::kDeadLetter, f.attempts, f.encode_error});
  if (!f.route_bound) return {Action::kWaitForLink, f.attempts, ""};
  switch (f.capture) {
    case CaptureFact::kNotAsked: return {Action::kCapture, f.attempts, ""};
    case CaptureFact::kCallFailed: return {Action::kAskLedgerAgain, f.attempts, ""};
    case CaptureFact::kRefunded:
      // Expired by the ledger's sweeper (which wrote the expired event first, so that one stays)
      // or refunded by someone else: either way it is final and unpaid.
      return {Action::kCanceled, f.attempts, "the debit was refunded before sending"};
    case CaptureFact::kNoHold: return {Action::kNoHold, f.attempts, "no debit hold for this message"};
    case CaptureFact::kOk: break;
  }
  return {Action::kSubmit, f.attempts, ""};
}

CaptureFact CaptureFactOf(v1::LedgerResult result) {
  switch (result) {
    case v1::LEDGER_OK: return CaptureFact::kOk;
    case v1::LEDGER_HOLD_REFUNDED: return CaptureFact::kRefunded;
    default: return CaptureFact::kNoHold;  // unknown hold or account: nothing paid for it
  }
}

SubmitFact SubmitFactOf(const smpp::SubmitResult& result) {
  if (result.ok()) return SubmitFact::kOk;
  if (result.permanent()) return SubmitFact::kPermanent;
  if (result.command_status == smpp::ESME_RTHROTTLED || result.command_status == smpp::ESME_RMSGQFUL) {
    return SubmitFact::kThrottled;
  }
  if (result.command_status == 0 && result.detail == "not bound") return SubmitFact::kNotBound;
  return SubmitFact::kTransient;
}

std::string_view ActionName(Action action) {
  switch (action) {
    case Action::kCapture: return "capture";
    case Action::kRefund: return "refund";
    case Action::kSubmit: return "submit";
    case Action::kAskLedgerAgain: return "ask ledger again";
    case Action::kDrop: return "drop";
    case Action::kWaitForLink: return "wait for link";
    case Action::kThrottled: return "throttled";
    case Action::kAlreadySubmitted: return "already submitted";
    case Action::kRetry: return "retry";
    case Action::kSubmitted: return "submitted";
    case Action::kExpired: return "expired";
    case Action::kCanceled: return "canceled";
    case Action::kNoHold: return "no hold";
    case Action::kDeadLetter: return "dead letter";
  }
  return "?";
}

}  // namespace smsgw::sched
