#include "smpp/message_id.h"
#include "smpp/receipt.h"

#include <gtest/gtest.h>

namespace smsgw::smpp {
namespace {

TEST(SmppReceipt, ParsesTheAppendixBFormat) {
  auto r = ParseReceiptText(
      "id:0123456789 sub:001 dlvrd:001 submit date:2406111200 done date:2406111201 "
      "stat:DELIVRD err:000 text:Hello world, this is");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->id, "0123456789");
  EXPECT_EQ(r->sub, "001");
  EXPECT_EQ(r->dlvrd, "001");
  EXPECT_EQ(r->submit_date, "2406111200");
  EXPECT_EQ(r->done_date, "2406111201");
  EXPECT_EQ(r->stat, "DELIVRD");
  EXPECT_EQ(r->err, "000");
  EXPECT_EQ(r->text, "Hello world, this is");
}

TEST(SmppReceipt, ToleratesCaseAndMissingText) {
  auto r = ParseReceiptText(
      "ID:7f3a SUB:001 DLVRD:000 SUBMIT DATE:2406111200 DONE DATE:2406111300 STAT:undeliv "
      "ERR:001");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->id, "7f3a");
  EXPECT_EQ(r->stat, "UNDELIV");
  EXPECT_EQ(r->err, "001");
  EXPECT_EQ(r->done_date, "2406111300");
  EXPECT_EQ(r->text, "");
  EXPECT_EQ(StateFromStat(r->stat), ReceiptState::kUndelivered);
}

TEST(SmppReceipt, ToleratesVendorVariants) {
  // Capitalised "Text:", underscores in the date keys, 12-digit dates, fields missing.
  auto r = ParseReceiptText(
      "id:64567564356765435676 submit_date:190608165232 done_date:190608165237 stat:EXPIRED "
      "Text:stat:DELIVRD id:evil");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->id, "64567564356765435676");
  EXPECT_EQ(r->submit_date, "190608165232");
  EXPECT_EQ(r->done_date, "190608165237");
  EXPECT_EQ(r->stat, "EXPIRED");  // what follows text: is user content, never a field
  EXPECT_EQ(r->sub, "");
  EXPECT_EQ(r->err, "");
  EXPECT_EQ(r->text, "stat:DELIVRD id:evil");

  auto lower = ParseReceiptText("id:1 sub:1 dlvrd:1 submit date:1 done date:1 stat:delivrd err:0");
  ASSERT_TRUE(lower.ok());
  EXPECT_EQ(StateFromStat(lower->stat), ReceiptState::kDelivered);
  // Key-like substrings inside other words are not keys.
  auto sneaky = ParseReceiptText("xid:9 id:42 stat:ACCEPTD");
  ASSERT_TRUE(sneaky.ok());
  EXPECT_EQ(sneaky->id, "42");
}

TEST(SmppReceipt, RejectsTextsThatAreNoReceipt) {
  EXPECT_FALSE(ParseReceiptText("").ok());
  EXPECT_FALSE(ParseReceiptText("Hello, see you at 10:30").ok());
}

TEST(SmppReceipt, MapsStatsToFinalStates) {
  EXPECT_EQ(StateFromStat("DELIVRD"), ReceiptState::kDelivered);
  EXPECT_EQ(StateFromStat("UNDELIV"), ReceiptState::kUndelivered);
  EXPECT_EQ(StateFromStat("REJECTD"), ReceiptState::kUndelivered);
  EXPECT_EQ(StateFromStat("DELETED"), ReceiptState::kUndelivered);
  EXPECT_EQ(StateFromStat("EXPIRED"), ReceiptState::kExpired);
  EXPECT_EQ(StateFromStat("ACCEPTD"), ReceiptState::kNotFinal);
  EXPECT_EQ(StateFromStat("ENROUTE"), ReceiptState::kNotFinal);
  EXPECT_EQ(StateFromStat("UNKNOWN"), ReceiptState::kNotFinal);
  EXPECT_EQ(StateFromStat(""), ReceiptState::kNotFinal);
  EXPECT_EQ(StateFromStat("expired"), ReceiptState::kExpired);
  EXPECT_EQ(StateFromMessageState(2), ReceiptState::kDelivered);
  EXPECT_EQ(StateFromMessageState(5), ReceiptState::kUndelivered);
  EXPECT_EQ(StateFromMessageState(3), ReceiptState::kExpired);
  EXPECT_EQ(StateFromMessageState(6), ReceiptState::kNotFinal);
  EXPECT_EQ(MessageStateFromStat("undeliv"), 5);
  EXPECT_EQ(MessageStateFromStat("nonsense"), std::nullopt);
  EXPECT_EQ(ReceiptStateName(ReceiptState::kDelivered), "delivered");
}

TEST(SmppReceipt, FormatsWhatItParses) {
  ReceiptText t{"abc123", "001", "001", "2406111200", "2406111201", "DELIVRD", "000", "Hi"};
  const std::string text = FormatReceiptText(t);
  EXPECT_EQ(text,
            "id:abc123 sub:001 dlvrd:001 submit date:2406111200 done date:2406111201 "
            "stat:DELIVRD err:000 text:Hi");
  auto back = ParseReceiptText(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->id, t.id);
  EXPECT_EQ(back->stat, t.stat);
  EXPECT_EQ(back->text, t.text);
}

TEST(SmppReceipt, FromDeliverSmPrefersTheTlvs) {
  DeliverSm d;
  d.esm_class = kEsmClassReceipt;
  d.short_message = "id:1234 sub:001 dlvrd:000 stat:UNDELIV err:001 text:";
  auto text_only = ReceiptFromDeliverSm(d);
  ASSERT_TRUE(text_only.ok());
  EXPECT_EQ(text_only->message_id, "1234");
  EXPECT_EQ(text_only->state, ReceiptState::kUndelivered);
  EXPECT_EQ(text_only->error_code, "001");
  EXPECT_EQ(text_only->raw_text, d.short_message);

  // Many SMSCs print the id in decimal in the text and the TLV carries the submit_sm_resp id.
  d.receipted_message_id = "4d2";
  d.message_state = 5;
  auto with_tlv = ReceiptFromDeliverSm(d);
  ASSERT_TRUE(with_tlv.ok());
  EXPECT_EQ(with_tlv->message_id, "4d2");
  EXPECT_EQ(with_tlv->state, ReceiptState::kUndelivered);

  // No usable text at all: the TLVs alone make the receipt.
  DeliverSm bare;
  bare.esm_class = kEsmClassReceipt;
  bare.receipted_message_id = "99";
  bare.message_state = 2;
  auto tlv_only = ReceiptFromDeliverSm(bare);
  ASSERT_TRUE(tlv_only.ok());
  EXPECT_EQ(tlv_only->message_id, "99");
  EXPECT_EQ(tlv_only->state, ReceiptState::kDelivered);
  EXPECT_EQ(tlv_only->stat, "DELIVRD");

  // The text in message_payload instead of short_message.
  DeliverSm payload;
  payload.message_payload = "id:77 stat:EXPIRED err:000";
  auto from_payload = ReceiptFromDeliverSm(payload);
  ASSERT_TRUE(from_payload.ok());
  EXPECT_EQ(from_payload->message_id, "77");
  EXPECT_EQ(from_payload->state, ReceiptState::kExpired);

  DeliverSm none;
  none.short_message = "stat:DELIVRD";
  EXPECT_FALSE(ReceiptFromDeliverSm(none).ok());
}

}  // namespace

// Review M1: submit_sm_resp says 1A2B3C, the receipt text says 0001715004 (the same number in
// decimal, zero-padded); case and leading zeros differ between SMSCs too.
TEST(SmppMessageId, OneSpellingForEveryWayOfWritingAnId) {
  EXPECT_EQ(CanonicalMessageId("1A2B3C", IdFormat::kHex), "1715004");
  EXPECT_EQ(CanonicalMessageId("1a2b3c", IdFormat::kHex), "1715004");
  EXPECT_EQ(CanonicalMessageId("0001715004", IdFormat::kDecimal), "1715004");
  EXPECT_EQ(CanonicalMessageId("1715004", IdFormat::kDecimal), "1715004");
  // Beyond 64 bits.
  EXPECT_EQ(CanonicalMessageId("FFFFFFFFFFFFFFFFFF", IdFormat::kHex), "4722366482869645213695");
  EXPECT_EQ(CanonicalMessageId("000", IdFormat::kDecimal), "0");
  // Text: case and leading zeros only.
  EXPECT_EQ(CanonicalMessageId("00AbC-12", IdFormat::kText), "abc-12");
  EXPECT_EQ(CanonicalMessageId("abc-12", IdFormat::kText), "abc-12");
  // Not what the format says: taken as text, never an error.
  EXPECT_EQ(CanonicalMessageId("12x", IdFormat::kDecimal), "12x");
  EXPECT_EQ(CanonicalMessageId("zz", IdFormat::kHex), "zz");
  EXPECT_EQ(CanonicalMessageId("", IdFormat::kHex), "");
  EXPECT_EQ(IdFormatFromName("hex"), IdFormat::kHex);
  EXPECT_EQ(IdFormatFromName("decimal"), IdFormat::kDecimal);
  EXPECT_EQ(IdFormatFromName("text"), IdFormat::kText);
}

TEST(SmppReceipt, ParsesTenAndTwelveDigitDates) {
  EXPECT_EQ(ParseReceiptDate("2611301425"), 1796048700000);    // 2026-11-30 14:25 UTC
  EXPECT_EQ(ParseReceiptDate("261130142537"), 1796048737000);  // with seconds
  EXPECT_EQ(ParseReceiptDate("0001010000"), 946684800000);     // 2000-01-01
  EXPECT_EQ(ParseReceiptDate(""), 0);
  EXPECT_EQ(ParseReceiptDate("26113014"), 0);
  EXPECT_EQ(ParseReceiptDate("2613301425"), 0);  // month 13
  EXPECT_EQ(ParseReceiptDate("26113014x5"), 0);
  DeliverSm d;
  d.esm_class = kEsmClassReceipt;
  d.short_message = "id:0001715004 sub:001 dlvrd:001 submit date:2611301420 done date:261130142537 stat:REJECTD err:034";
  Result<Receipt> r = ReceiptFromDeliverSm(d);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->message_id, "0001715004");
  EXPECT_FALSE(r->id_from_tlv);
  EXPECT_EQ(r->done_at_ms, 1796048737000);
  EXPECT_EQ(r->state, ReceiptState::kUndelivered);
  d.receipted_message_id = "1A2B3C";
  r = ReceiptFromDeliverSm(d);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->message_id, "1A2B3C");
  EXPECT_TRUE(r->id_from_tlv);
}

TEST(SmppReceipt, EveryStatValueHasAState) {
  for (const char* s : {"DELIVRD", "delivrd", "DELIVERED"}) EXPECT_EQ(StateFromStat(s), ReceiptState::kDelivered) << s;
  for (const char* s : {"UNDELIV", "REJECTD", "DELETED", "UNDELIVERABLE", "REJECTED", "FAILED"}) {
    EXPECT_EQ(StateFromStat(s), ReceiptState::kUndelivered) << s;
  }
  EXPECT_EQ(StateFromStat("EXPIRED"), ReceiptState::kExpired);
  for (const char* s : {"ACCEPTD", "ENROUTE", "UNKNOWN", "", "BOGUS"}) EXPECT_EQ(StateFromStat(s), ReceiptState::kNotFinal) << s;
}

}  // namespace smsgw::smpp
