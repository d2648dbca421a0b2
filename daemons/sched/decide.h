#pragma once

#include <cstdint>
#include <string>

#include "proto/smsgw.pb.h"
#include "smpp/client_types.h"

namespace smsgw::sched {

// What became of the ledger capture of a message's hold.
enum class CaptureFact {
  kNotAsked,
  kOk,          // charged (now or before): it may be sent
  kRefunded,    // refunded or expired: it must not be sent
  kNoHold,      // no hold at all (never debited, or an unknown account): it must not be sent
  kCallFailed,  // the batch call itself failed: nothing is known
};

// What the operator link said about a submit.
enum class SubmitFact {
  kNotSent,    // not handed to a link yet
  kOk,         // every part accepted
  kNotBound,   // refused at once because the link was not bound: nothing went out
  kThrottled,  // ESME_RTHROTTLED or ESME_RMSGQFUL: the operator asks us to slow down (review M5)
  kTransient,  // timeout, connection lost, throttled, queue full: it may work later
  kPermanent,  // the SMSC refused the message itself, or the request was malformed
};

// What became of a refund the outcome needed.
enum class RefundFact {
  kNotAsked,
  kDone,        // returned now, returned before, or there was no hold to return
  kCallFailed,  // the batch call itself failed: nothing is known
};

// Everything the decision about one message depends on; the scheduler fills in what it has
// learnt so far and asks again after each step (capture, submit, refund).
struct Facts {
  bool decoded = true;        // false: the stream entry held no Envelope
  bool already_submitted = false;  // taken over, and its submit was recorded before (the mark)
  int64_t now_ms = 0;
  int64_t expires_at_ms = 0;  // 0: no validity limit
  std::string destination;    // for the reason given when no route serves it
  bool has_route = true;      // some configured route serves the destination
  bool route_bound = true;    // ... and one of them is bound now
  std::string encode_error;   // why the text cannot be cut into parts; empty when it can
  CaptureFact capture = CaptureFact::kNotAsked;
  SubmitFact submit = SubmitFact::kNotSent;
  std::string submit_detail;  // why a submit failed ("op1: ESME_RSUBMITFAIL (0x00000045)")
  int32_t attempts = 0;       // submits tried before this one (the envelope's count)
  int32_t max_attempts = 5;
  RefundFact refund = RefundFact::kNotAsked;
};

// The next thing to do with a message. The first four ask for more facts; the rest are final
// for this read of the message and end with its stream entry acked.
enum class Action {
  kCapture,         // capture the hold (batched with the others of the read), then decide again
  kRefund,          // return the money first (batched), then decide again
  kSubmit,          // captured: hand it to the route's link, then decide again on the answer
  kAskLedgerAgain,  // the ledger call failed: keep the message, ask again after a pause
  kDrop,            // not an envelope: ack it, nothing else
  kWaitForLink,     // its route has no bound link: back to q:retry shortly, no attempt spent
  kThrottled,       // the operator said slow down: submitted again after a pause, no attempt spent
  kAlreadySubmitted,  // taken over after its submit was recorded: only the ack is left
  kRetry,           // transient failure: back to q:retry with backoff, `attempts` recorded
  kSubmitted,       // submitted event and receipt keys
  kExpired,         // validity passed before sending, money returned: expired event
  kCanceled,        // the hold was refunded before sending: canceled event, not sent
  kNoHold,          // nothing was debited for it: failed event, not sent
  kDeadLetter,      // money returned: into q:dlq with `error`, failed event
};

struct Outcome {
  Action action = Action::kDrop;
  int32_t attempts = 0;  // to record with kRetry and kDeadLetter (this submit included)
  std::string error;     // why, for kDeadLetter, kExpired, kCanceled and kNoHold
};

// The decision about one message (DESIGN.md sections 2 and 5), a pure function of its facts:
//  - a message whose submit was recorded before it was taken over is only acked;
//  - an answered submit decides alone: accepted -> submitted; "not bound" -> wait for the link
//    and throttled -> submit again after a pause, neither spending an attempt; transient with
//    attempts left -> retry; otherwise refund, then dead letter (and a refund that fails is
//    asked again, never a new submit: review m9);
//  - before sending: validity passed -> refund, then expired; no route at all, or a text that
//    cannot be encoded -> refund, then dead letter; no bound link for the route -> wait for it;
//    otherwise capture, and send only what was captured;
//  - a ledger call that failed is asked again later; nothing is decided on unknown money.
Outcome Decide(const Facts& f);

// The capture fact for the ledger's answer to one item.
CaptureFact CaptureFactOf(v1::LedgerResult result);

// The submit fact for a link's answer. "not bound" is told apart from other transient
// failures because smpp::Client::Submit gives it, in those words, before anything is sent.
SubmitFact SubmitFactOf(const smpp::SubmitResult& result);

std::string_view ActionName(Action action);

}  // namespace smsgw::sched
