// The reason labels of retries and dead letters: a short fixed set, from what the link answered
// and what the message's decision was based on.
#include <gtest/gtest.h>

#include "sched/outcome_reasons.h"
#include "sched/sched_metrics.h"
#include "smpp/command_status.h"

namespace smsgw::sched {
namespace {

smpp::SubmitResult Failed(smpp::SubmitResult::Kind kind, uint32_t status, std::string detail) {
  smpp::SubmitResult r;
  r.kind = kind;
  r.command_status = status;
  r.detail = std::move(detail);
  return r;
}

TEST(SchedOutcomeReasonsTest, SubmitFailuresFromTheLinksAnswer) {
  using Kind = smpp::SubmitResult::Kind;
  EXPECT_EQ(SubmitFailureOf(smpp::SubmitResult{}), SubmitFailure::kNone);
  EXPECT_EQ(SubmitFailureOf(Failed(Kind::kTransient, 0, "timeout")), SubmitFailure::kTimeout);
  EXPECT_EQ(SubmitFailureOf(Failed(Kind::kTransient, 0, "connection lost")), SubmitFailure::kConnectionLost);
  EXPECT_EQ(SubmitFailureOf(Failed(Kind::kTransient, 0, "client stopped")), SubmitFailure::kConnectionLost);
  EXPECT_EQ(SubmitFailureOf(Failed(Kind::kTransient, smpp::ESME_RSYSERR, "ESME_RSYSERR (0x00000008)")),
            SubmitFailure::kSmscTransient);
  EXPECT_EQ(SubmitFailureOf(Failed(Kind::kPermanent, smpp::ESME_RSUBMITFAIL, "ESME_RSUBMITFAIL")),
            SubmitFailure::kRejected);
  EXPECT_EQ(SubmitFailureOf(Failed(Kind::kPermanent, 0, "short_message too long")), SubmitFailure::kInvalid);
  EXPECT_EQ(SubmitFailureOf(Failed(Kind::kTransient, 0, "unexpected generic_nack")), SubmitFailure::kOther);
}

TEST(SchedOutcomeReasonsTest, RetryAndDeadLetterReasons) {
  EXPECT_EQ(RetryReasonOf(Action::kWaitForLink, SubmitFailure::kNone), RetryReason::kNoBoundLink);
  EXPECT_EQ(RetryReasonOf(Action::kRetry, SubmitFailure::kTimeout), RetryReason::kTimeout);
  EXPECT_EQ(RetryReasonOf(Action::kRetry, SubmitFailure::kSmscTransient), RetryReason::kSmscError);
  EXPECT_EQ(RetryReasonOf(Action::kRetry, SubmitFailure::kOther), RetryReason::kOther);

  Facts f;
  f.submit = SubmitFact::kTransient;  // the last attempt failed like the others
  EXPECT_EQ(DeadLetterReasonOf(f, SubmitFailure::kTimeout), DeadLetterReason::kAttemptsExhausted);
  f.submit = SubmitFact::kPermanent;
  EXPECT_EQ(DeadLetterReasonOf(f, SubmitFailure::kRejected), DeadLetterReason::kRejected);
  EXPECT_EQ(DeadLetterReasonOf(f, SubmitFailure::kInvalid), DeadLetterReason::kInvalid);
  f.submit = SubmitFact::kNotSent;
  f.has_route = false;
  EXPECT_EQ(DeadLetterReasonOf(f, SubmitFailure::kNone), DeadLetterReason::kNoRoute);
  f.has_route = true;
  f.encode_error = "text: not GSM-7";
  EXPECT_EQ(DeadLetterReasonOf(f, SubmitFailure::kNone), DeadLetterReason::kInvalid);

  EXPECT_EQ(ReasonName(RetryReason::kConnectionLost), "connection_lost");
  EXPECT_EQ(ReasonName(DeadLetterReason::kAttemptsExhausted), "attempts_exhausted");
}

TEST(SchedOutcomeReasonsTest, ExpressBucketsHoldTheSlaAndTheControllersAim) {
  const std::vector<double> b = SchedMetrics::ExpressBuckets(3000);
  EXPECT_TRUE(std::is_sorted(b.begin(), b.end()));
  EXPECT_NE(std::find(b.begin(), b.end(), 3.0), b.end());
  EXPECT_NE(std::find(b.begin(), b.end(), 2.1), b.end());
  // An SLA on a bound already there is not listed twice.
  const std::vector<double> five = SchedMetrics::ExpressBuckets(5000);
  EXPECT_EQ(std::count(five.begin(), five.end(), 5.0), 1);
}

}  // namespace
}  // namespace smsgw::sched
