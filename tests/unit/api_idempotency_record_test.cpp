// smsgw-api: Idempotency-Key records, keys, fingerprints, seeded message ids and how holds
// settle a request whose outcome was not known.
#include <gtest/gtest.h>

#include "api/idempotency_record.h"
#include "sms/uuid7.h"

namespace smsgw::api {
namespace {

TEST(ApiIdempotencyRecordTest, KeysAreOneTo255CharactersWithoutControls) {
  EXPECT_TRUE(CheckIdempotencyKey("a").ok());
  EXPECT_TRUE(CheckIdempotencyKey(std::string(255, 'k')).ok());
  EXPECT_TRUE(CheckIdempotencyKey("order 42 / ünïcode").ok());
  EXPECT_FALSE(CheckIdempotencyKey("").ok());
  EXPECT_FALSE(CheckIdempotencyKey(std::string(256, 'k')).ok());
  EXPECT_FALSE(CheckIdempotencyKey("a\tb").ok());
  EXPECT_EQ(CheckIdempotencyKey("").message().rfind("Idempotency-Key: ", 0), 0u);
}

TEST(ApiIdempotencyRecordTest, RecordsSurviveTheRoundTrip) {
  IdempotencyRecord r;
  r.state = IdempotencyRecord::State::kUnsettled;
  r.fingerprint = "f00d";
  r.claimed_ms = 1735689600123;
  r.token = "t-1";
  r.status = 202;
  r.headers = {{"Content-Type", "application/json"}, {"Location", "/v1/messages/x"}};
  r.body = R"({"id":"x"})";
  r.message_ids = {"a", "b"};
  Result<IdempotencyRecord> back = DecodeRecord(EncodeRecord(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->state, r.state);
  EXPECT_EQ(back->fingerprint, r.fingerprint);
  EXPECT_EQ(back->claimed_ms, r.claimed_ms);
  EXPECT_EQ(back->token, r.token);
  EXPECT_EQ(back->status, 202);
  ASSERT_EQ(back->headers.size(), 2u);
  EXPECT_EQ(back->headers[1].value, "/v1/messages/x");
  EXPECT_EQ(back->body, r.body);
  EXPECT_EQ(back->message_ids, r.message_ids);

  IdempotencyRecord pending;
  pending.fingerprint = "f";
  pending.token = "t";
  EXPECT_EQ(DecodeRecord(EncodeRecord(pending))->state, IdempotencyRecord::State::kPending);
  EXPECT_EQ(DecodeRecord("not json").status().code(), ErrorCode::kInternal);
  EXPECT_EQ(DecodeRecord(R"({"s":"weird","fp":"","at":0,"tok":""})").status().code(), ErrorCode::kInternal);
}

TEST(ApiIdempotencyRecordTest, TheFingerprintCoversMethodTargetTypeAndBody) {
  HttpRequest a;
  a.method = "POST";
  a.target = "/v1/messages";
  a.headers = {{"Content-Type", "application/json"}};
  a.body = "{}";
  const std::string fa = RequestFingerprint(a);
  EXPECT_EQ(fa.size(), 64u);
  EXPECT_EQ(RequestFingerprint(a), fa);
  HttpRequest b = a;
  b.body = "{ }";
  EXPECT_NE(RequestFingerprint(b), fa);
  b = a;
  b.target = "/v1/messages/batch";
  EXPECT_NE(RequestFingerprint(b), fa);
  b = a;
  b.headers = {{"Content-Type", "text/plain"}};
  EXPECT_NE(RequestFingerprint(b), fa);
  b = a;
  b.headers.push_back({"X-Request-ID", "other"});  // not part of "the same request"
  EXPECT_EQ(RequestFingerprint(b), fa);
}

TEST(ApiIdempotencyRecordTest, SeededIdsAreUuidV7OfTheClaimTimeAndStable) {
  const std::string id = SeededMessageId("hash", 7, 1735689600123, 0);
  ASSERT_TRUE(sms::IsUuid(id)) << id;
  EXPECT_EQ(*sms::UuidV7TimeMs(id), 1735689600123);
  EXPECT_EQ(SeededMessageId("hash", 7, 1735689600123, 0), id);
  EXPECT_NE(SeededMessageId("hash", 7, 1735689600123, 1), id);
  EXPECT_NE(SeededMessageId("hash", 8, 1735689600123, 0), id);
  EXPECT_NE(SeededMessageId("other", 7, 1735689600123, 0), id);
  EXPECT_NE(SeededMessageId("hash", 7, 1735689600124, 0), id);
}

TEST(ApiIdempotencyRecordTest, HoldsSettleAnUnknownOutcome) {
  const Hold held{HoldState::kHeld, 1}, charged{HoldState::kCharged, 1}, refunded{HoldState::kRefunded, 1},
      expired{HoldState::kExpired, 1};
  EXPECT_EQ(Settle({}), Settlement::kNothingQueued);
  EXPECT_EQ(Settle({std::nullopt, refunded, expired}), Settlement::kNothingQueued);
  EXPECT_EQ(Settle({charged, charged}), Settlement::kQueued);
  EXPECT_EQ(Settle({charged, held}), Settlement::kUndecided);
  EXPECT_EQ(Settle({held}), Settlement::kUndecided);
  EXPECT_EQ(Settle({charged, refunded}), Settlement::kMixed);
  EXPECT_EQ(Settle({charged, std::nullopt}), Settlement::kMixed);
}

}  // namespace
}  // namespace smsgw::api
