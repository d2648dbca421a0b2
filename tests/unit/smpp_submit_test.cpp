#include "smpp/address.h"
#include "smpp/pdu.h"
#include "smpp/submit_builder.h"
#include "smpp/udh.h"

#include <gtest/gtest.h>

namespace smsgw::smpp {
namespace {

TEST(SmppAddress, DerivesTonAndNpi) {
  EXPECT_EQ(*SourceAddress("ACME"), (SmeAddress{kTonAlphanumeric, kNpiUnknown, "ACME"}));
  EXPECT_EQ(*SourceAddress("Shop 24"), (SmeAddress{kTonAlphanumeric, kNpiUnknown, "Shop 24"}));
  EXPECT_EQ(*SourceAddress("+4915112345678"),
            (SmeAddress{kTonInternational, kNpiIsdn, "4915112345678"}));
  EXPECT_EQ(*SourceAddress("12345"), (SmeAddress{kTonUnknown, kNpiIsdn, "12345"}));
  EXPECT_EQ(*DestinationAddress("+4915112345678"),
            (SmeAddress{kTonInternational, kNpiIsdn, "4915112345678"}));
  EXPECT_EQ(*SourceAddress(""), (SmeAddress{kTonUnknown, kNpiUnknown, ""}));  // the SMSC's default sender
  EXPECT_FALSE(SourceAddress("+49abc").ok());
  EXPECT_FALSE(SourceAddress(std::string(21, 'A')).ok());
  EXPECT_FALSE(DestinationAddress("ACME").ok());
  EXPECT_FALSE(DestinationAddress("+").ok());
  EXPECT_FALSE(DestinationAddress("+" + std::string(21, '1')).ok());
}

SubmitRequest Request(std::vector<std::string> parts) {
  SubmitRequest r;
  r.source_addr = "ACME";
  r.dest_addr = "+4915112345678";
  r.parts = std::move(parts);
  return r;
}

TEST(SmppSubmitBuilder, OnePartIsAPlainShortMessage) {
  auto pdus = BuildSubmitSms(Request({"Hello"}), 7, LongMessages::kUdh);
  ASSERT_TRUE(pdus.ok()) << pdus.status().ToString();
  ASSERT_EQ(pdus->size(), 1u);
  const SubmitSm& sm = (*pdus)[0];
  EXPECT_EQ(sm.short_message, "Hello");
  EXPECT_EQ(sm.esm_class, 0);
  EXPECT_EQ(sm.source_addr_ton, kTonAlphanumeric);
  EXPECT_EQ(sm.source_addr_npi, kNpiUnknown);
  EXPECT_EQ(sm.dest_addr_ton, kTonInternational);
  EXPECT_EQ(sm.dest_addr_npi, kNpiIsdn);
  EXPECT_EQ(sm.destination_addr, "4915112345678");
  EXPECT_EQ(sm.registered_delivery, 1);
  EXPECT_FALSE(sm.message_payload.has_value());
}

TEST(SmppSubmitBuilder, SeveralPartsGetUdhAndEsmClass) {
  SubmitRequest r = Request({std::string(134, 'a'), std::string(20, 'b')});
  r.data_coding = kDataCodingUcs2;
  r.source_ton = 3;
  auto pdus = BuildSubmitSms(r, 0x42, LongMessages::kUdh);
  ASSERT_TRUE(pdus.ok());
  ASSERT_EQ(pdus->size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const SubmitSm& sm = (*pdus)[i];
    EXPECT_EQ(sm.esm_class, kEsmClassUdhi);
    EXPECT_EQ(sm.data_coding, kDataCodingUcs2);
    EXPECT_EQ(sm.source_addr_ton, 3);
    EXPECT_EQ(sm.short_message.substr(0, kConcatUdhSize),
              WithConcatUdh("", 0x42, 2, static_cast<uint8_t>(i + 1)));
  }
  EXPECT_EQ((*pdus)[1].short_message.substr(kConcatUdhSize), std::string(20, 'b'));
}

TEST(SmppSubmitBuilder, MessagePayloadModeJoinsParts) {
  auto pdus = BuildSubmitSms(Request({"abc", "def"}), 1, LongMessages::kPayload);
  ASSERT_TRUE(pdus.ok());
  ASSERT_EQ(pdus->size(), 1u);
  EXPECT_EQ((*pdus)[0].esm_class, 0);
  EXPECT_TRUE((*pdus)[0].short_message.empty());
  EXPECT_EQ((*pdus)[0].message_payload, "abcdef");
  // A single part too long for short_message goes to message_payload on its own.
  auto big = BuildSubmitSms(Request({std::string(300, 'x')}), 1, LongMessages::kUdh);
  ASSERT_TRUE(big.ok());
  EXPECT_EQ((*big)[0].message_payload->size(), 300u);
}

TEST(SmppSubmitBuilder, RejectsBadRequests) {
  EXPECT_FALSE(BuildSubmitSms(Request({}), 1, LongMessages::kUdh).ok());
  SubmitRequest bad_dest = Request({"x"});
  bad_dest.dest_addr = "not a number";
  EXPECT_FALSE(BuildSubmitSms(bad_dest, 1, LongMessages::kUdh).ok());
  EXPECT_FALSE(BuildSubmitSms(Request({std::string(250, 'a'), "b"}), 1, LongMessages::kUdh).ok());
}

TEST(SmppSubmitBuilder, SarTlvsCarryReferenceTotalAndIndex) {
  SubmitRequest r = Request({"abc", "def", "ghi"});
  r.validity_period = "000000001000000R";
  auto pdus = BuildSubmitSms(r, 0x1234, LongMessages::kSar);
  ASSERT_TRUE(pdus.ok()) << pdus.status().ToString();
  ASSERT_EQ(pdus->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const SubmitSm& sm = (*pdus)[i];
    EXPECT_EQ(sm.esm_class, 0);  // no UDH
    EXPECT_EQ(sm.short_message, r.parts[i]);
    EXPECT_EQ(sm.sar_msg_ref_num, 0x1234);
    EXPECT_EQ(sm.sar_total_segments, 3);
    EXPECT_EQ(sm.sar_segment_seqnum, i + 1);
    EXPECT_EQ(sm.validity_period, "000000001000000R");
  }
  // And they survive the codec.
  Result<std::string> bytes = Encode(Pdu{0, 9, (*pdus)[1]});
  ASSERT_TRUE(bytes.ok());
  Result<Pdu> back = Decode(*bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back->As<SubmitSm>(), (*pdus)[1]);
}

}  // namespace
}  // namespace smsgw::smpp
