#include "smpp/pdu.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace smsgw::smpp {
namespace {

std::string Hex(std::initializer_list<int> octets) {
  std::string out;
  for (int o : octets) out.push_back(static_cast<char>(o));
  return out;
}

std::string MustEncode(const Pdu& pdu) {
  Result<std::string> bytes = Encode(pdu);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return bytes.ok() ? bytes.value() : std::string();
}

void ExpectRoundTrip(const Pdu& pdu) {
  const std::string bytes = MustEncode(pdu);
  ASSERT_GE(bytes.size(), kHeaderSize);
  Result<Pdu> back = Decode(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->command_id(), pdu.command_id());
  EXPECT_TRUE(*back == pdu) << CommandName(pdu.command_id());
  // And re-encoding is byte-identical.
  EXPECT_EQ(MustEncode(*back), bytes);
}

SubmitSm SampleSubmit() {
  SubmitSm sm;
  sm.service_type = "CMT";
  sm.source_addr_ton = 5;
  sm.source_addr = "ACME";
  sm.dest_addr_ton = 1;
  sm.dest_addr_npi = 1;
  sm.destination_addr = "4915112345678";
  sm.esm_class = 0x40;
  sm.registered_delivery = 1;
  sm.data_coding = 8;
  sm.validity_period = "000001000000000R";
  sm.short_message = Hex({0x05, 0x00, 0x03, 0x2A, 0x02, 0x01}) + std::string("\0H\0i", 4);
  return sm;
}

TEST(SmppPdu, RoundTripsEveryType) {
  ExpectRoundTrip(Pdu{0, 1, BindTransceiver{"smsgw", "secret", "SMPP", 0x34, 1, 1, "^49"}});
  ExpectRoundTrip(Pdu{0, 1, BindTransceiverResp{"smsc", 0x34}});
  ExpectRoundTrip(Pdu{ESME_RINVPASWD, 1, BindTransceiverResp{}});
  ExpectRoundTrip(Pdu{0, 2, SampleSubmit()});
  ExpectRoundTrip(Pdu{0, 3, SubmitSmResp{"4f2a9c"}});
  ExpectRoundTrip(Pdu{ESME_RTHROTTLED, 3, SubmitSmResp{}});
  DeliverSm receipt;
  receipt.source_addr = "4915112345678";
  receipt.destination_addr = "ACME";
  receipt.esm_class = kEsmClassReceipt;
  receipt.short_message = "id:4f2a9c sub:001 dlvrd:001 stat:DELIVRD err:000 text:";
  receipt.receipted_message_id = "4f2a9c";
  receipt.message_state = 2;
  ExpectRoundTrip(Pdu{0, 0x7FFFFFFF, receipt});
  ExpectRoundTrip(Pdu{0, 4, DeliverSmResp{}});
  ExpectRoundTrip(Pdu{0, 5, EnquireLink{}});
  ExpectRoundTrip(Pdu{0, 5, EnquireLinkResp{}});
  ExpectRoundTrip(Pdu{0, 6, Unbind{}});
  ExpectRoundTrip(Pdu{0, 6, UnbindResp{}});
  ExpectRoundTrip(Pdu{ESME_RINVCMDID, 7, GenericNack{}});
  ExpectRoundTrip(Pdu{0, 8, UnknownPdu{0x00000103, Hex({1, 2, 3})}});
  ExpectRoundTrip(Pdu{0, 9, BindTransmitter{{"smsgw", "secret", "", 0x34, 0, 0, ""}}});
  ExpectRoundTrip(Pdu{0, 9, BindTransmitterResp{{"smsc", std::nullopt}}});
  ExpectRoundTrip(Pdu{0, 10, BindReceiver{{"smsgw", "secret", "", 0x34, 0, 0, ""}}});
  ExpectRoundTrip(Pdu{ESME_RBINDFAIL, 10, BindReceiverResp{}});
  EXPECT_EQ(Pdu({0, 1, BindReceiver{}}).command_id(), kBindReceiver);
  EXPECT_NE(AsBind(PduBody{BindTransmitter{{"t", "", "", 0x34, 0, 0, ""}}}), nullptr);
  EXPECT_EQ(AsBind(PduBody{EnquireLink{}}), nullptr);
}

// Review m8: 1-3 octets of padding after the last TLV of a deliver_sm made it undecodable,
// so the client answered generic_nack and the SMSC sent the receipt again for ever.
TEST(SmppPdu, PaddingAfterTheLastTlvIsTolerated) {
  DeliverSm receipt;
  receipt.source_addr = "4915112345678";
  receipt.esm_class = kEsmClassReceipt;
  receipt.short_message = "id:7 stat:DELIVRD";
  receipt.receipted_message_id = "7";
  for (int pad = 1; pad <= 3; ++pad) {
    std::string bytes = MustEncode(Pdu{0, 1, receipt}) + std::string(static_cast<size_t>(pad), '\0');
    bytes[3] = static_cast<char>(bytes.size());
    Result<Pdu> decoded = Decode(bytes);
    ASSERT_TRUE(decoded.ok()) << pad << ": " << decoded.status().ToString();
    EXPECT_EQ(decoded->As<DeliverSm>()->receipted_message_id, "7");
  }
  // Four octets are a TLV header; one that promises more than is there is still refused.
  std::string bytes = MustEncode(Pdu{0, 1, receipt}) + Hex({0x14, 0x03, 0x00, 0x05});
  bytes[3] = static_cast<char>(bytes.size());
  EXPECT_FALSE(Decode(bytes).ok());
}

TEST(SmppPdu, MessagePayloadRoundTrips) {
  SubmitSm sm = SampleSubmit();
  sm.short_message.clear();
  sm.message_payload = std::string(3000, 'x');
  ExpectRoundTrip(Pdu{0, 9, sm});
  EXPECT_EQ(sm.Payload().size(), 3000u);
}

// The 60-octet submit_sm "Hello wikipedia" laid out field by field as in SMPP 3.4 section 4.4.1.
const std::string kWikipediaSubmit = Hex({
    0x00, 0x00, 0x00, 0x3C,  // command_length 60
    0x00, 0x00, 0x00, 0x04,  // submit_sm
    0x00, 0x00, 0x00, 0x00,  // command_status
    0x00, 0x00, 0x00, 0x05,  // sequence_number
    0x00,                    // service_type ""
    0x02, 0x08,              // source TON national, NPI national
    '5', '5', '5', 0x00,     // source_addr
    0x01, 0x01,              // dest TON international, NPI ISDN
    '5', '5', '5', '5', '5', '5', '5', '5', '5', 0x00,
    0x00, 0x00, 0x00,        // esm_class, protocol_id, priority_flag
    0x00, 0x00,              // schedule_delivery_time "", validity_period ""
    0x00, 0x00, 0x00, 0x00,  // registered_delivery, replace_if_present, data_coding, default id
    0x0F,                    // sm_length
    'H', 'e', 'l', 'l', 'o', ' ', 'w', 'i', 'k', 'i', 'p', 'e', 'd', 'i', 'a'});

TEST(SmppPdu, SubmitSmIsByteExact) {
  SubmitSm sm;
  sm.source_addr_ton = 2;
  sm.source_addr_npi = 8;
  sm.source_addr = "555";
  sm.dest_addr_ton = 1;
  sm.dest_addr_npi = 1;
  sm.destination_addr = "555555555";
  sm.short_message = "Hello wikipedia";
  EXPECT_EQ(MustEncode(Pdu{0, 5, sm}), kWikipediaSubmit);

  Result<Pdu> decoded = Decode(kWikipediaSubmit);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_NE(decoded->As<SubmitSm>(), nullptr);
  EXPECT_EQ(*decoded->As<SubmitSm>(), sm);
  EXPECT_EQ(decoded->sequence_number, 5u);
}

TEST(SmppPdu, HeaderOnlyPdusAreSixteenOctets) {
  EXPECT_EQ(MustEncode(Pdu{0, 0x01020304, EnquireLink{}}),
            Hex({0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 1, 2, 3, 4}));
  EXPECT_EQ(MustEncode(Pdu{ESME_RINVCMDLEN, 9, GenericNack{}}),
            Hex({0, 0, 0, 16, 0x80, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 9}));
}

TEST(SmppPdu, UnknownTlvsAreSkipped) {
  SubmitSm sm;
  sm.destination_addr = "1";
  sm.short_message = "x";
  std::string bytes = MustEncode(Pdu{0, 1, sm});
  // sar_msg_ref_num (ignored) and a vendor TLV, then message_payload.
  bytes += Hex({0x02, 0x0C, 0x00, 0x02, 0x12, 0x34});
  bytes += Hex({0x14, 0x03, 0x00, 0x03, 'a', 'b', 'c'});
  bytes += Hex({0x04, 0x24, 0x00, 0x02, 'h', 'i'});
  bytes[3] = static_cast<char>(bytes.size());
  Result<Pdu> decoded = Decode(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->As<SubmitSm>()->message_payload, "hi");
}

TEST(SmppPdu, EncodeChecksLimits) {
  SubmitSm sm;
  sm.source_addr = std::string(21, '1');  // limit is 20 + NUL
  EXPECT_FALSE(Encode(Pdu{0, 1, sm}).ok());
  sm.source_addr = std::string(20, '1');
  EXPECT_TRUE(Encode(Pdu{0, 1, sm}).ok());
  sm.short_message = std::string(255, 'a');
  Result<std::string> too_long = Encode(Pdu{0, 1, sm});
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.status().message().find("short_message"), std::string::npos);
  EXPECT_FALSE(Encode(Pdu{0, 1, BindTransceiver{std::string(16, 's'), "", "", 0x34, 0, 0, ""}})
                   .ok());
  EXPECT_FALSE(Encode(Pdu{0, 1, BindTransceiver{"s", "ninechars", "", 0x34, 0, 0, ""}}).ok());
  EXPECT_FALSE(Encode(Pdu{0, 1, SubmitSmResp{std::string("a\0b", 3)}}).ok());
  sm.short_message.clear();
  sm.message_payload = std::string(kMaxPduSize, 'p');
  EXPECT_FALSE(Encode(Pdu{0, 1, sm}).ok());
}

TEST(SmppPdu, DecodeRejectsMalformedBodies) {
  // command_length disagrees with the frame.
  std::string bytes = kWikipediaSubmit;
  bytes[3] = 0x3B;
  EXPECT_FALSE(Decode(bytes).ok());
  // Truncated body.
  std::string cut = kWikipediaSubmit.substr(0, 40);
  cut[3] = 40;
  EXPECT_FALSE(Decode(cut).ok());
  // sm_length runs past the end.
  std::string longer = kWikipediaSubmit;
  longer[44] = 0x10;
  EXPECT_FALSE(Decode(longer).ok());
  // system_id without NUL within 16 octets.
  std::string bind = Hex({0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 1}) + std::string(20, 'A');
  bind[3] = static_cast<char>(bind.size());
  EXPECT_FALSE(Decode(bind).ok());
  // A TLV whose length runs past the end.
  std::string tlv = kWikipediaSubmit + Hex({0x04, 0x24, 0x00, 0x09, 'x'});
  tlv[3] = static_cast<char>(tlv.size());
  EXPECT_FALSE(Decode(tlv).ok());
  // Shorter than a header.
  EXPECT_FALSE(Decode(Hex({0, 0, 0, 8, 0, 0, 0, 0x15})).ok());
}

TEST(SmppPdu, ErrorResponsesMayHaveNoBody) {
  Result<Pdu> resp = Decode(Hex({0, 0, 0, 16, 0x80, 0, 0, 4, 0, 0, 0, 0x58, 0, 0, 0, 7}));
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->command_status, ESME_RTHROTTLED);
  EXPECT_EQ(resp->As<SubmitSmResp>()->message_id, "");
}

TEST(SmppFrameDecoder, ByteByByte) {
  const std::string a = MustEncode(Pdu{0, 1, EnquireLink{}});
  const std::string b = kWikipediaSubmit;
  const std::string stream = a + b;
  FrameDecoder d;
  std::vector<std::string> frames;
  for (char c : stream) {
    d.Feed(std::string_view(&c, 1));
    auto f = d.Next();
    ASSERT_TRUE(f.ok());
    if (f->has_value()) frames.push_back(**f);
  }
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0], a);
  EXPECT_EQ(frames[1], b);
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(SmppFrameDecoder, SeveralPdusInOneChunk) {
  std::string stream;
  for (uint32_t i = 1; i <= 50; ++i) stream += MustEncode(Pdu{0, i, SubmitSmResp{"id"}});
  stream += kWikipediaSubmit.substr(0, 10);  // a partial one at the end
  FrameDecoder d;
  d.Feed(stream);
  uint32_t seen = 0;
  while (true) {
    auto f = d.Next();
    ASSERT_TRUE(f.ok());
    if (!f->has_value()) break;
    Result<Pdu> pdu = Decode(**f);
    ASSERT_TRUE(pdu.ok());
    EXPECT_EQ(pdu->sequence_number, ++seen);
  }
  EXPECT_EQ(seen, 50u);
  EXPECT_EQ(d.buffered(), 10u);
  d.Feed(kWikipediaSubmit.substr(10));
  auto last = d.Next();
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ(**last, kWikipediaSubmit);
}

TEST(SmppFrameDecoder, RejectsBadLengthsAndStaysFailed) {
  FrameDecoder small;
  small.Feed(Hex({0, 0, 0, 15}));
  EXPECT_FALSE(small.Next().ok());
  small.Feed(MustEncode(Pdu{0, 1, EnquireLink{}}));
  EXPECT_FALSE(small.Next().ok());  // latched: boundaries are lost

  FrameDecoder big;
  big.Feed(Hex({0, 1, 0, 1}));  // 65537
  EXPECT_FALSE(big.Next().ok());

  FrameDecoder http;
  http.Feed("GET / HTTP/1.1\r\n\r\n");
  EXPECT_FALSE(http.Next().ok());

  FrameDecoder max;
  std::string frame = Hex({0, 1, 0, 0, 0, 0, 1, 3, 0, 0, 0, 0, 0, 0, 0, 1});
  frame.resize(kMaxPduSize, 'z');
  max.Feed(frame);
  auto f = max.Next();
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(f->has_value());
  EXPECT_EQ((*f)->size(), kMaxPduSize);
}

// Garbage in, errors out: never a crash, a hang or a read out of bounds (run under ASan to be
// sure). Both raw random streams and valid PDUs with random octets flipped.
TEST(SmppFrameDecoder, SurvivesGarbage) {
  std::mt19937 rng(20240611);
  std::uniform_int_distribution<int> octet(0, 255);
  for (int round = 0; round < 2000; ++round) {
    FrameDecoder d;
    std::string noise(1 + rng() % 300, '\0');
    for (char& c : noise) c = static_cast<char>(octet(rng));
    if (round % 2 == 0) noise[0] = noise[1] = 0;  // plausible small lengths half the time
    size_t pos = 0;
    while (pos < noise.size()) {
      const size_t n = std::min<size_t>(1 + rng() % 40, noise.size() - pos);
      d.Feed(std::string_view(noise).substr(pos, n));
      pos += n;
      for (int i = 0; i < 100; ++i) {
        auto f = d.Next();
        if (!f.ok() || !f->has_value()) break;
        (void)Decode(**f);
      }
    }
  }
  const std::vector<std::string> valid = {
      kWikipediaSubmit, MustEncode(Pdu{0, 1, SampleSubmit()}),
      MustEncode(Pdu{0, 1, BindTransceiver{"a", "b", "c", 0x34, 0, 0, ""}}),
      MustEncode(Pdu{0, 1, BindTransceiverResp{"smsc", 0x34}})};
  for (int round = 0; round < 5000; ++round) {
    std::string bytes = valid[round % valid.size()];
    for (int flips = 1 + rng() % 4; flips > 0; --flips) {
      bytes[kHeaderSize + rng() % (bytes.size() - kHeaderSize)] = static_cast<char>(octet(rng));
    }
    Result<Pdu> pdu = Decode(bytes);
    if (pdu.ok()) (void)Encode(*pdu);
  }
}

TEST(SmppCommandStatus, TransientOnlyForRetryableOnes) {
  EXPECT_TRUE(IsTransient(ESME_RTHROTTLED));
  EXPECT_TRUE(IsTransient(ESME_RMSGQFUL));
  EXPECT_TRUE(IsTransient(ESME_RSYSERR));
  EXPECT_FALSE(IsTransient(ESME_ROK));
  EXPECT_FALSE(IsTransient(ESME_RSUBMITFAIL));
  EXPECT_FALSE(IsTransient(ESME_RINVDSTADR));
  EXPECT_FALSE(IsTransient(ESME_RINVPASWD));
  EXPECT_FALSE(IsTransient(0x00000400));  // vendor-specific
  EXPECT_EQ(CommandStatusName(ESME_RTHROTTLED), "ESME_RTHROTTLED (0x00000058)");
  EXPECT_EQ(CommandStatusName(0x400), "0x00000400");
  EXPECT_EQ(CommandName(kDeliverSmResp), "deliver_sm_resp");
}

}  // namespace
}  // namespace smsgw::smpp
