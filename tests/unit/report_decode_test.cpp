// Events whose text is not UTF-8 (an SMSC's message ids and receipt stat/err bytes reach
// operator_message_id and error unchecked): proto3's parser refuses them, and the report must
// still write their status, with the bad bytes escaped (review finding F2).
#include <gtest/gtest.h>

#include "report/event.h"

namespace smsgw::report {
namespace {

constexpr const char* kId = "018f3a5b-7c00-7abc-8def-0123456789ab";

// `e` serialized, with every occurrence of `placeholder` replaced by `bytes` of the same length:
// the wire data a peer sending those bytes produces, made without asking protobuf to serialize
// text that is not UTF-8.
std::string WithBytes(const v1::StatusEvent& e, const std::string& placeholder,
                      const std::string& bytes) {
  EXPECT_EQ(placeholder.size(), bytes.size());
  std::string wire = e.SerializeAsString();
  for (size_t at = wire.find(placeholder); at != std::string::npos;
       at = wire.find(placeholder, at + bytes.size())) {
    wire.replace(at, placeholder.size(), bytes);
  }
  return wire;
}

v1::StatusEvent Submitted() {
  v1::StatusEvent e;
  e.set_message_id(kId);
  e.set_account_id(42);
  e.set_status(v1::STATUS_SUBMITTED);
  e.set_at_ms(1000);
  e.set_operator_name("sim");
  e.set_operator_message_id("ID@@");
  return e;
}

TEST(ReportRepairUtf8, EscapesOnlyTheBadBytes) {
  std::string text = "ok";
  EXPECT_FALSE(RepairUtf8(&text));
  EXPECT_EQ(text, "ok");
  text = "caf\xc3\xa9";  // valid two-byte sequence
  EXPECT_FALSE(RepairUtf8(&text));
  text = "\xff\xfe" "A\xc3";  // stray bytes, then a truncated sequence
  EXPECT_TRUE(RepairUtf8(&text));
  EXPECT_EQ(text, "\\xff\\xfeA\\xc3");
  text = "\xe9t\xc3\xa9";  // Latin-1 next to UTF-8
  EXPECT_TRUE(RepairUtf8(&text));
  EXPECT_EQ(text, "\\xe9t\xc3\xa9");
}

TEST(ReportDecode, StrictParserRefusesWhatTheLenientOneRepairs) {
  const std::string wire = WithBytes(Submitted(), "ID@@", "\x9f\xff" "A\x01");
  v1::StatusEvent strict;
  ASSERT_FALSE(strict.ParseFromString(wire)) << "the case this code exists for";

  std::vector<std::string> repaired;
  Result<v1::StatusEvent> e = DecodeEvent(wire, &repaired);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->message_id(), kId);
  EXPECT_EQ(e->status(), v1::STATUS_SUBMITTED);
  EXPECT_EQ(e->account_id(), 42);
  EXPECT_EQ(e->at_ms(), 1000);
  EXPECT_EQ(e->operator_name(), "sim");
  EXPECT_EQ(e->operator_message_id(), "\\x9f\\xffA\x01");
  EXPECT_EQ(repaired, std::vector<std::string>{"operator_message_id"});
}

TEST(ReportDecode, ReceiptErrorNotUtf8KeepsItsFinalStatus) {
  v1::StatusEvent e;
  e.set_message_id(kId);
  e.set_account_id(7);
  e.set_status(v1::STATUS_UNDELIVERED);
  e.set_at_ms(2000);
  e.set_error("stat:UNDELIV err:##");
  std::vector<std::string> repaired;
  Result<v1::StatusEvent> d = DecodeEvent(WithBytes(e, "##", std::string("\xe9\0", 2)), &repaired);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->status(), v1::STATUS_UNDELIVERED);
  EXPECT_EQ(d->error(), "stat:UNDELIV err:\\xe9");  // and the NUL is stripped as usual
  EXPECT_EQ(repaired, std::vector<std::string>{"error"});
}

TEST(ReportDecode, ValidEventsReportNothingRepaired) {
  std::vector<std::string> repaired{"stale"};
  Result<v1::StatusEvent> d = DecodeEvent(Submitted().SerializeAsString(), &repaired);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(repaired.empty());
  EXPECT_EQ(d->operator_message_id(), "ID@@");
}

TEST(ReportDecode, UnusableStaysUnusable) {
  // A message id that is not UTF-8 is no UUID: nothing to write.
  v1::StatusEvent bad_id = Submitted();
  bad_id.set_message_id(std::string(kId).replace(0, 2, "@@"));
  Result<v1::StatusEvent> d = DecodeEvent(WithBytes(bad_id, "@@", "\xff\xff"));
  EXPECT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), ErrorCode::kInvalidArgument);
  // Not protobuf at all, truncated, or a known field of the wrong wire type.
  EXPECT_FALSE(DecodeEvent("\xff\xfe not a protobuf").ok());
  const std::string wire = WithBytes(Submitted(), "ID@@", "\xff\xff\xff\xff");
  EXPECT_FALSE(DecodeEvent(wire.substr(0, wire.size() - 2)).ok());
  std::string wrong_type = WithBytes(Submitted(), "ID@@", "\xff\xff\xff\xff");
  wrong_type += std::string("\x19", 1) + std::string(8, '\0');  // field 3 (status) as fixed64
  EXPECT_FALSE(DecodeEvent(wrong_type).ok());
}

}  // namespace
}  // namespace smsgw::report
