// The pure half of smsgw-report: UUIDv7 times, event decoding and the per-message coalescing of
// a batch (DESIGN.md sections 2 and 6).
#include <gtest/gtest.h>

#include "report/event.h"
#include "report/writer.h"

namespace smsgw::report {
namespace {

// Ids whose first 48 bits are 0x018f3a5b7c00 / 0x018f3a5b7c01 ms (May 2024).
constexpr const char* kId1 = "018f3a5b-7c00-7abc-8def-0123456789ab";
constexpr const char* kId2 = "018f3a5b-7c01-7abc-8def-0123456789ab";

v1::StatusEvent Accepted(const std::string& id, int64_t account = 42) {
  v1::StatusEvent e;
  e.set_message_id(id);
  e.set_account_id(account);
  e.set_status(v1::STATUS_ACCEPTED);
  e.set_at_ms(1000);
  e.set_to("+989121234567");
  e.set_from("SMSGW");
  e.set_encoding(v1::ENCODING_UCS2);
  e.set_segments(2);
  e.set_cost(240);
  e.set_priority(v1::PRIORITY_EXPRESS);
  e.set_client_ref("order-7");
  return e;
}

v1::StatusEvent Event(const std::string& id, v1::MessageStatus status, int64_t at_ms) {
  v1::StatusEvent e;
  e.set_message_id(id);
  e.set_account_id(42);
  e.set_status(status);
  e.set_at_ms(at_ms);
  return e;
}

TEST(ReportUuid, TimeIsTheFirst48Bits) {
  Result<int64_t> t = UuidV7TimeMs(kId1);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t.value(), 0x018f3a5b7c00LL);
  EXPECT_EQ(UuidV7TimeMs("018F3A5B-7C00-7ABC-8DEF-0123456789AB").value(), 0x018f3a5b7c00LL);
  EXPECT_EQ(UuidV7TimeMs("00000000-0000-7000-8000-000000000000").value(), 0);
  EXPECT_EQ(UuidV7TimeMs("ffffffff-ffff-7fff-bfff-ffffffffffff").value(), 0xffffffffffffLL);
}

TEST(ReportUuid, RejectsWhatIsNotAUuidV7) {
  for (const char* bad :
       {"", "not-a-uuid", "018f3a5b-7c00-7abc-8def-0123456789a",
        "018f3a5b-7c00-7abc-8def-0123456789abc", "018f3a5b7c007abc8def0123456789ab",
        "018f3a5b-7c00-7abc-8def_0123456789ab", "018f3a5g-7c00-7abc-8def-0123456789ab",
        "018f3a5b-7c00-4abc-8def-0123456789ab" /* version 4 */,
        "018f3a5b-7c00-7abc-cdef-0123456789ab" /* not the RFC variant */}) {
    Result<int64_t> t = UuidV7TimeMs(bad);
    EXPECT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(ReportUuid, CanonicalIsLowerCase) {
  EXPECT_EQ(CanonicalUuid("018F3A5B-7C00-7ABC-8DEF-0123456789AB").value(), kId1);
}

TEST(ReportStatus, NamesAndRanks) {
  EXPECT_EQ(StatusRank(v1::STATUS_ACCEPTED), 1);
  EXPECT_EQ(StatusRank(v1::STATUS_SUBMITTED), 2);
  for (auto s : {v1::STATUS_DELIVERED, v1::STATUS_UNDELIVERED, v1::STATUS_FAILED,
                 v1::STATUS_EXPIRED, v1::STATUS_CANCELED}) {
    EXPECT_EQ(StatusRank(s), 3);
    EXPECT_EQ(v1::StatusFromName(StatusName(s)), s);
  }
  EXPECT_EQ(StatusRank(v1::STATUS_UNSPECIFIED), 0);
  EXPECT_EQ(StatusName(v1::STATUS_UNDELIVERED), "undelivered");
  EXPECT_EQ(v1::StatusFromName("bogus"), v1::STATUS_UNSPECIFIED);
  EXPECT_EQ(EncodingName(v1::ENCODING_UCS2), "ucs2");
  EXPECT_EQ(PriorityName(v1::PRIORITY_EXPRESS), "express");
  EXPECT_TRUE(EncodingName(static_cast<v1::Encoding>(9)).empty());
}

TEST(ReportDecode, AcceptsAnEventAndLowerCasesItsId) {
  v1::StatusEvent e = Accepted("018F3A5B-7C00-7ABC-8DEF-0123456789AB");
  e.set_error(std::string("a\0b", 3));
  Result<v1::StatusEvent> d = DecodeEvent(e.SerializeAsString());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->message_id(), kId1);
  EXPECT_EQ(d->cost(), 240);
  EXPECT_EQ(d->error(), "ab");  // PostgreSQL text cannot hold NUL
}

TEST(ReportDecode, RejectsGarbageUnknownStatusAndBadIds) {
  EXPECT_FALSE(DecodeEvent("\xff\xff\xff garbage").ok());
  v1::StatusEvent e = Accepted(kId1);
  e.set_status(v1::STATUS_UNSPECIFIED);
  EXPECT_FALSE(DecodeEvent(e.SerializeAsString()).ok());
  e.set_status(static_cast<v1::MessageStatus>(77));
  EXPECT_FALSE(DecodeEvent(e.SerializeAsString()).ok());
  e = Accepted("7c00-not-a-uuid");
  EXPECT_FALSE(DecodeEvent(e.SerializeAsString()).ok());
  e = Accepted("018f3a5b-7c00-4abc-8def-0123456789ab");
  EXPECT_FALSE(DecodeEvent(e.SerializeAsString()).ok());
}

TEST(ReportCoalesce, TrioBecomesOneRow) {
  auto submitted = Event(kId1, v1::STATUS_SUBMITTED, 2000);
  submitted.set_operator_name("mci");
  submitted.set_operator_message_id("op-1");
  std::vector<MessageUpdate> out =
      Coalesce({Accepted(kId1), submitted, Event(kId1, v1::STATUS_DELIVERED, 3000)});
  ASSERT_EQ(out.size(), 1u);
  const MessageUpdate& u = out[0];
  EXPECT_EQ(u.id, kId1);
  EXPECT_EQ(u.account_id, 42);
  EXPECT_EQ(u.created_at_ms, 0x018f3a5b7c00LL);
  EXPECT_EQ(u.status, v1::STATUS_DELIVERED);
  EXPECT_EQ(u.to, "+989121234567");
  EXPECT_EQ(u.from, "SMSGW");
  EXPECT_EQ(u.encoding, v1::ENCODING_UCS2);
  EXPECT_EQ(u.segments, 2);
  EXPECT_EQ(u.cost, 240);
  EXPECT_EQ(u.priority, v1::PRIORITY_EXPRESS);
  EXPECT_EQ(u.client_ref, "order-7");
  EXPECT_EQ(u.submitted_at_ms, 2000);
  EXPECT_EQ(u.done_at_ms, 3000);
  EXPECT_EQ(u.operator_name, "mci");
  EXPECT_EQ(u.operator_message_id, "op-1");
  EXPECT_FALSE(u.error.has_value());
}

TEST(ReportCoalesce, OrderOfArrivalDoesNotMatter) {
  auto submitted = Event(kId1, v1::STATUS_SUBMITTED, 2000);
  auto delivered = Event(kId1, v1::STATUS_DELIVERED, 3000);
  std::vector<MessageUpdate> in_order = Coalesce({Accepted(kId1), submitted, delivered});
  std::vector<MessageUpdate> reversed = Coalesce({delivered, submitted, Accepted(kId1)});
  std::vector<MessageUpdate> doubled =
      Coalesce({delivered, Accepted(kId1), delivered, submitted, Accepted(kId1), submitted});
  EXPECT_EQ(in_order, reversed);
  EXPECT_EQ(in_order, doubled);
}

// Review m15: where status callbacks go travels with the accepted event into the row.
TEST(ReportCoalesce, CallbackTargetsComeFromTheAcceptedEvent) {
  v1::StatusEvent hooked = Accepted(kId1);
  hooked.set_callback_url("https://hooks.example.com/sms");
  v1::StatusEvent kannel = Accepted(kId2);
  kannel.set_dlr_url("http://k.example/dlr?t=%d");
  kannel.set_dlr_mask(19);
  std::vector<MessageUpdate> out = Coalesce({Event(kId1, v1::STATUS_DELIVERED, 9), hooked, kannel});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].callback_url, "https://hooks.example.com/sms");
  EXPECT_FALSE(out[0].dlr_url.has_value());
  EXPECT_FALSE(out[0].dlr_mask.has_value());
  EXPECT_FALSE(out[1].callback_url.has_value());
  EXPECT_EQ(out[1].dlr_url, "http://k.example/dlr?t=%d");
  EXPECT_EQ(out[1].dlr_mask, 19);
  EXPECT_FALSE(Coalesce({Accepted(kId1)})[0].callback_url.has_value());
}

TEST(ReportCoalesce, StatusNeverMovesDown) {
  std::vector<MessageUpdate> out =
      Coalesce({Event(kId1, v1::STATUS_SUBMITTED, 2000), Event(kId1, v1::STATUS_ACCEPTED, 1000)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status, v1::STATUS_SUBMITTED);
  EXPECT_EQ(out[0].submitted_at_ms, 2000);
  EXPECT_FALSE(out[0].done_at_ms.has_value());
}

TEST(ReportCoalesce, FirstFinalStatusWins) {
  auto failed = Event(kId1, v1::STATUS_FAILED, 3000);
  failed.set_error("throttled");
  auto delivered = Event(kId1, v1::STATUS_DELIVERED, 4000);
  std::vector<MessageUpdate> out = Coalesce({Accepted(kId1), failed, delivered});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status, v1::STATUS_FAILED);
  EXPECT_EQ(out[0].done_at_ms, 3000);
  EXPECT_EQ(out[0].error, "throttled");

  auto undelivered = Event(kId1, v1::STATUS_UNDELIVERED, 5000);
  undelivered.set_error("absent subscriber");
  out = Coalesce({delivered, undelivered});
  EXPECT_EQ(out[0].status, v1::STATUS_DELIVERED);
  EXPECT_EQ(out[0].done_at_ms, 4000);
  EXPECT_FALSE(out[0].error.has_value());  // the ignored outcome's error is not kept
}

TEST(ReportCoalesce, WithoutAcceptedAttributesStayAbsent) {
  std::vector<MessageUpdate> out = Coalesce({Event(kId1, v1::STATUS_DELIVERED, 3000)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status, v1::STATUS_DELIVERED);
  EXPECT_EQ(out[0].account_id, 42);
  EXPECT_FALSE(out[0].to.has_value());
  EXPECT_FALSE(out[0].cost.has_value());
  EXPECT_FALSE(out[0].encoding.has_value());
  EXPECT_FALSE(out[0].submitted_at_ms.has_value());
}

TEST(ReportCoalesce, EmptyOptionalTextAndZeroTimesAreAbsent) {
  auto accepted = Accepted(kId1);
  accepted.clear_from();
  accepted.clear_client_ref();
  std::vector<MessageUpdate> out = Coalesce(
      {accepted, Event(kId1, v1::STATUS_SUBMITTED, 0), Event(kId1, v1::STATUS_EXPIRED, 0)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].from.has_value());
  EXPECT_FALSE(out[0].client_ref.has_value());
  EXPECT_FALSE(out[0].submitted_at_ms.has_value());
  EXPECT_FALSE(out[0].done_at_ms.has_value());
  EXPECT_EQ(out[0].status, v1::STATUS_EXPIRED);
}

TEST(ReportCoalesce, OneRowPerMessageSortedById) {
  std::vector<MessageUpdate> out =
      Coalesce({Event(kId2, v1::STATUS_SUBMITTED, 2), Accepted(kId1), Accepted(kId2, 7),
                Event(kId1, v1::STATUS_SUBMITTED, 9)});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].id, kId1);
  EXPECT_EQ(out[1].id, kId2);
  EXPECT_EQ(out[1].account_id, 7);  // the accepted event's account wins
  EXPECT_EQ(out[1].status, v1::STATUS_SUBMITTED);
  EXPECT_TRUE(Coalesce({}).empty());
}

}  // namespace
}  // namespace smsgw::report
