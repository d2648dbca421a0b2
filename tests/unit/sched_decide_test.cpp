#include "sched/decide.h"

#include <gtest/gtest.h>

#include "smpp/command_status.h"

namespace smsgw::sched {
namespace {

// A message just read: decodable, within validity, routable, its link bound, nothing asked yet.
Facts Fresh() {
  Facts f;
  f.now_ms = 10'000;
  f.expires_at_ms = 20'000;
  f.destination = "+989121234567";
  f.attempts = 0;
  f.max_attempts = 3;
  return f;
}

Facts Captured() {
  Facts f = Fresh();
  f.capture = CaptureFact::kOk;
  return f;
}

Facts Answered(SubmitFact submit, int32_t attempts = 0) {
  Facts f = Captured();
  f.submit = submit;
  f.attempts = attempts;
  f.submit_detail = "op1: ESME_RSUBMITFAIL (0x00000045)";
  return f;
}

TEST(DecideTest, NotAnEnvelopeIsDropped) {
  Facts f = Fresh();
  f.decoded = false;
  f.has_route = false;  // nothing else matters
  EXPECT_EQ(Decide(f).action, Action::kDrop);
}

// ---- Before the ledger ----

TEST(DecideTest, AFreshMessageAsksForItsCapture) { EXPECT_EQ(Decide(Fresh()).action, Action::kCapture); }

TEST(DecideTest, ExpiredValidityRefundsFirstThenRecordsExpired) {
  Facts f = Fresh();
  f.now_ms = 20'001;
  Outcome first = Decide(f);
  EXPECT_EQ(first.action, Action::kRefund);
  EXPECT_EQ(first.error, "validity period passed before sending");
  f.refund = RefundFact::kDone;
  Outcome then = Decide(f);
  EXPECT_EQ(then.action, Action::kExpired);
  EXPECT_EQ(then.error, "validity period passed before sending");
}

TEST(DecideTest, ValidityEndsStrictlyAfterItsInstantAndZeroMeansNone) {
  Facts f = Fresh();
  f.now_ms = f.expires_at_ms;
  EXPECT_EQ(Decide(f).action, Action::kCapture);
  f.expires_at_ms = 0;
  f.now_ms = 1'000'000'000;
  EXPECT_EQ(Decide(f).action, Action::kCapture);
}

TEST(DecideTest, ExpiryIsCheckedBeforeRouteLinkAndCapture) {
  Facts f = Fresh();
  f.now_ms = 30'000;
  f.has_route = false;
  f.route_bound = false;
  f.capture = CaptureFact::kOk;  // captured on an earlier read, never sent: still refunded
  EXPECT_EQ(Decide(f).action, Action::kRefund);
  f.refund = RefundFact::kDone;
  EXPECT_EQ(Decide(f).action, Action::kExpired);
}

TEST(DecideTest, NoRouteAtAllRefundsThenDeadLetters) {
  Facts f = Fresh();
  f.has_route = false;
  f.route_bound = false;
  Outcome first = Decide(f);
  EXPECT_EQ(first.action, Action::kRefund);
  EXPECT_EQ(first.error, "no route for +989121234567");
  f.refund = RefundFact::kDone;
  Outcome then = Decide(f);
  EXPECT_EQ(then.action, Action::kDeadLetter);
  EXPECT_EQ(then.error, "no route for +989121234567");
  EXPECT_EQ(then.attempts, 0);  // nothing was tried
}

TEST(DecideTest, TextThatCannotBeEncodedRefundsThenDeadLetters) {
  Facts f = Fresh();
  f.encode_error = "text: malformed UTF-8 at byte 3";
  EXPECT_EQ(Decide(f).action, Action::kRefund);
  f.refund = RefundFact::kDone;
  Outcome then = Decide(f);
  EXPECT_EQ(then.action, Action::kDeadLetter);
  EXPECT_EQ(then.error, "text: malformed UTF-8 at byte 3");
}

TEST(DecideTest, NoBoundLinkWaitsWithoutCaptureOrAttempt) {
  Facts f = Fresh();
  f.attempts = 2;
  f.route_bound = false;
  Outcome o = Decide(f);
  EXPECT_EQ(o.action, Action::kWaitForLink);
  EXPECT_EQ(o.attempts, 2);
}

// ---- The capture ----

TEST(DecideTest, CapturedIsSubmitted) { EXPECT_EQ(Decide(Captured()).action, Action::kSubmit); }

TEST(DecideTest, RefundedHoldIsCanceledNotSent) {
  Facts f = Fresh();
  f.capture = CaptureFact::kRefunded;
  Outcome o = Decide(f);
  EXPECT_EQ(o.action, Action::kCanceled);
  EXPECT_EQ(o.error, "the debit was refunded before sending");
}

TEST(DecideTest, UnknownHoldFailsNotSent) {
  Facts f = Fresh();
  f.capture = CaptureFact::kNoHold;
  Outcome o = Decide(f);
  EXPECT_EQ(o.action, Action::kNoHold);
  EXPECT_EQ(o.error, "no debit hold for this message");
}

TEST(DecideTest, FailedCaptureCallAsksAgainAndDecidesNothing) {
  Facts f = Fresh();
  f.capture = CaptureFact::kCallFailed;
  EXPECT_EQ(Decide(f).action, Action::kAskLedgerAgain);
}

TEST(DecideTest, LinkLostAfterCaptureWaitsForIt) {
  Facts f = Captured();
  f.route_bound = false;
  EXPECT_EQ(Decide(f).action, Action::kWaitForLink);
}

// ---- The operator's answer ----

TEST(DecideTest, AcceptedIsSubmitted) {
  Facts f = Answered(SubmitFact::kOk, 1);
  f.now_ms = 99'000;  // validity passing after the send changes nothing
  f.route_bound = false;
  Outcome o = Decide(f);
  EXPECT_EQ(o.action, Action::kSubmitted);
  EXPECT_EQ(o.attempts, 1);
}

TEST(DecideTest, NotBoundAtSubmitWaitsWithoutSpendingAnAttempt) {
  Outcome o = Decide(Answered(SubmitFact::kNotBound, 2));  // 2 of 3 used: one more would be the last
  EXPECT_EQ(o.action, Action::kWaitForLink);
  EXPECT_EQ(o.attempts, 2);
}

TEST(DecideTest, TransientWithAttemptsLeftRetriesAndCountsTheAttempt) {
  Outcome o = Decide(Answered(SubmitFact::kTransient, 1));
  EXPECT_EQ(o.action, Action::kRetry);
  EXPECT_EQ(o.attempts, 2);
  EXPECT_EQ(o.error, "op1: ESME_RSUBMITFAIL (0x00000045)");
}

TEST(DecideTest, TransientOnTheLastAttemptRefundsThenDeadLetters) {
  Facts f = Answered(SubmitFact::kTransient, 2);  // this was attempt 3 of 3
  Outcome first = Decide(f);
  EXPECT_EQ(first.action, Action::kRefund);
  EXPECT_EQ(first.error, "op1: ESME_RSUBMITFAIL (0x00000045)");
  f.refund = RefundFact::kDone;
  Outcome then = Decide(f);
  EXPECT_EQ(then.action, Action::kDeadLetter);
  EXPECT_EQ(then.attempts, 3);
  EXPECT_EQ(then.error, "op1: ESME_RSUBMITFAIL (0x00000045)");
}

TEST(DecideTest, PermanentRefundsThenDeadLettersOnTheFirstAttempt) {
  Facts f = Answered(SubmitFact::kPermanent, 0);
  EXPECT_EQ(Decide(f).action, Action::kRefund);
  f.refund = RefundFact::kDone;
  Outcome then = Decide(f);
  EXPECT_EQ(then.action, Action::kDeadLetter);
  EXPECT_EQ(then.attempts, 1);
}

TEST(DecideTest, FailedRefundCallAsksAgainBeforeAnyRecord) {
  Facts f = Answered(SubmitFact::kPermanent, 0);
  f.refund = RefundFact::kCallFailed;
  EXPECT_EQ(Decide(f).action, Action::kAskLedgerAgain);
  Facts expired = Fresh();
  expired.now_ms = 30'000;
  expired.refund = RefundFact::kCallFailed;
  EXPECT_EQ(Decide(expired).action, Action::kAskLedgerAgain);
  // Asked again (the fact reset), it is the same decision as the first time.
  f.refund = RefundFact::kNotAsked;
  EXPECT_EQ(Decide(f).action, Action::kRefund);
}


// Review M5: throttling spends no attempt, however often it comes, and is not a dead letter.
TEST(DecideTest, ThrottledIsSubmittedAgainWithoutSpendingAnAttempt) {
  for (int32_t attempts : {0, 2}) {
    Outcome o = Decide(Answered(SubmitFact::kThrottled, attempts));
    EXPECT_EQ(o.action, Action::kThrottled);
    EXPECT_EQ(o.attempts, attempts);
  }
  smpp::SubmitResult r;
  r.kind = smpp::SubmitResult::Kind::kTransient;
  r.command_status = smpp::ESME_RTHROTTLED;
  EXPECT_EQ(SubmitFactOf(r), SubmitFact::kThrottled);
  r.command_status = smpp::ESME_RMSGQFUL;
  EXPECT_EQ(SubmitFactOf(r), SubmitFact::kThrottled);
  r.command_status = smpp::ESME_RSYSERR;
  EXPECT_EQ(SubmitFactOf(r), SubmitFact::kTransient);
}

// Review C3: an entry taken over whose submit was recorded is only acked, whatever else holds.
TEST(DecideTest, AlreadySubmittedIsOnlyAcked) {
  Facts f = Fresh();
  f.already_submitted = true;
  f.now_ms = 30'000;  // even past its validity
  EXPECT_EQ(Decide(f).action, Action::kAlreadySubmitted);
}

// Review m9: after a permanent error (or the last attempt) a refund that fails is asked again,
// for as long as it fails; no decision along the way is a submit.
TEST(DecideTest, AFailingRefundNeverLeadsToAnotherSubmit) {
  for (SubmitFact fact : {SubmitFact::kPermanent, SubmitFact::kTransient}) {
    Facts f = Answered(fact, 2);  // the last of max_attempts 3
    for (int round = 0; round < 5; ++round) {
      f.refund = RefundFact::kNotAsked;
      EXPECT_EQ(Decide(f).action, Action::kRefund);
      f.refund = RefundFact::kCallFailed;
      EXPECT_EQ(Decide(f).action, Action::kAskLedgerAgain);
    }
    f.refund = RefundFact::kDone;
    const Outcome o = Decide(f);
    EXPECT_EQ(o.action, Action::kDeadLetter);
    EXPECT_EQ(o.attempts, 3);
  }
}

// ---- The mappings from what the ledger and the links say ----

TEST(DecideTest, CaptureFactOfLedgerResults) {
  EXPECT_EQ(CaptureFactOf(v1::LEDGER_OK), CaptureFact::kOk);
  EXPECT_EQ(CaptureFactOf(v1::LEDGER_HOLD_REFUNDED), CaptureFact::kRefunded);
  EXPECT_EQ(CaptureFactOf(v1::LEDGER_HOLD_UNKNOWN), CaptureFact::kNoHold);
  EXPECT_EQ(CaptureFactOf(v1::LEDGER_ACCOUNT_UNKNOWN), CaptureFact::kNoHold);
  EXPECT_EQ(CaptureFactOf(v1::LEDGER_INSUFFICIENT_FUNDS), CaptureFact::kNoHold);
}

TEST(DecideTest, SubmitFactOfLinkResults) {
  smpp::SubmitResult r;
  EXPECT_EQ(SubmitFactOf(r), SubmitFact::kOk);
  r.kind = smpp::SubmitResult::Kind::kTransient;
  r.detail = "not bound";
  EXPECT_EQ(SubmitFactOf(r), SubmitFact::kNotBound);
  r.detail = "connection lost";
  EXPECT_EQ(SubmitFactOf(r), SubmitFact::kTransient);
  r.detail = "not bound";
  r.command_status = 0x08;  // an SMSC's own words are never "nothing was sent"
  EXPECT_EQ(SubmitFactOf(r), SubmitFact::kTransient);
  r.kind = smpp::SubmitResult::Kind::kPermanent;
  EXPECT_EQ(SubmitFactOf(r), SubmitFact::kPermanent);
}

// A message's whole way, as the scheduler drives it: every step asks for one more fact.
TEST(DecideTest, OneMessageFromReadToSubmitted) {
  Facts f = Fresh();
  EXPECT_EQ(Decide(f).action, Action::kCapture);
  f.capture = CaptureFact::kOk;
  EXPECT_EQ(Decide(f).action, Action::kSubmit);
  f.submit = SubmitFact::kTransient;
  Outcome retry = Decide(f);
  ASSERT_EQ(retry.action, Action::kRetry);
  // Read again later: a new read starts from what the envelope recorded.
  Facts again = Fresh();
  again.attempts = retry.attempts;
  EXPECT_EQ(Decide(again).action, Action::kCapture);
  again.capture = CaptureFact::kOk;  // already charged: the ledger says OK again
  again.submit = SubmitFact::kOk;
  EXPECT_EQ(Decide(again).action, Action::kSubmitted);
}

}  // namespace
}  // namespace smsgw::sched
