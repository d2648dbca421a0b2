#include "sched/submit_request.h"

#include <gtest/gtest.h>

namespace smsgw::sched {
namespace {

v1::Envelope Message(const std::string& text) {
  v1::Envelope e;
  e.set_id("m1");
  e.set_account_id(7);
  e.set_to("+989121234567");
  e.set_from("ACME");
  e.set_text(text);
  return e;
}

TEST(SubmitRequestTest, OperatorSettingsShapeTheSubmit) {
  config::OperatorConfig op;
  op.name = "op1";
  op.source_ton = 5;
  op.dest_npi = 9;
  op.registered_delivery = 0;
  op.service_type = "CMT";
  v1::Envelope e = Message("hello");
  e.set_expires_at_ms(1'000'000 + 3'723'000);  // 1 h 2 min 3 s from now
  Result<smpp::SubmitRequest> r = BuildRequest(e, op, 1'000'000, "7:m1:");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->parts, std::vector<std::string>{"hello"});
  EXPECT_EQ(r->data_coding, 0);
  EXPECT_EQ(r->source_ton, 5);
  EXPECT_FALSE(r->source_npi.has_value());
  EXPECT_EQ(r->dest_npi, 9);
  EXPECT_EQ(r->registered_delivery, 0);
  EXPECT_EQ(r->service_type, "CMT");
  EXPECT_EQ(r->validity_period, "000000010203000R");
  EXPECT_EQ(r->tag, "7:m1:");
  EXPECT_TRUE(r->done_ids.empty());
}

TEST(SubmitRequestTest, Latin1AndAsciiForSmscsThatWantThem) {
  config::OperatorConfig op;
  op.data_coding = "latin1";
  Result<smpp::SubmitRequest> r = BuildRequest(Message("é£{€}"), op, 0, "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->data_coding, 3);
  EXPECT_EQ(r->parts[0], "\xE9\xA3{?}");  // the euro sign is not Latin-1
  op.data_coding = "ascii";
  r = BuildRequest(Message("é£{€}"), op, 0, "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->data_coding, 1);
  EXPECT_EQ(r->parts[0], "??{?}");
  // UCS-2 stays UCS-2 whatever the setting.
  v1::Envelope persian = Message("سلام");
  persian.set_encoding(v1::ENCODING_UCS2);
  r = BuildRequest(persian, op, 0, "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->data_coding, 8);
}

// Review m19: an earlier attempt through the same operator that was taken in part: the parts
// taken are not sent again and the reference stays; through another operator, all of it.
TEST(SubmitRequestTest, PartsAlreadyTakenByThisOperatorAreNotSentAgain) {
  config::OperatorConfig op;
  op.name = "op1";
  v1::Envelope e = Message(std::string(200, 'x'));  // two parts
  e.add_part_ids("id-1");
  e.add_part_ids("");
  e.set_part_operator("op1");
  e.set_concat_ref(77);
  Result<smpp::SubmitRequest> r = BuildRequest(e, op, 0, "");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->parts.size(), 2u);
  EXPECT_EQ(r->done_ids, (std::vector<std::string>{"id-1", ""}));
  EXPECT_EQ(r->concat_ref, 77);
  op.name = "op2";
  r = BuildRequest(e, op, 0, "");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->done_ids.empty());
  EXPECT_FALSE(r->concat_ref.has_value());
}

TEST(SubmitRequestTest, RelativeValidityIsBounded) {
  EXPECT_EQ(RelativeValidity(0), "000000000001000R");
  EXPECT_EQ(RelativeValidity(86400 * 2 + 5), "000002000005000R");
  EXPECT_EQ(RelativeValidity(int64_t{1} << 40), "000099235959000R");
}

}  // namespace
}  // namespace smsgw::sched
