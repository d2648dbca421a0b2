// The [[operators]] keys smsgw-sched reads are range-checked (review F5, m7) and become the
// SMPP client's settings without overflow.
#include <gtest/gtest.h>

#include "config/config.h"
#include "smpp/operator_config.h"

namespace smsgw {
namespace {

std::string WithOperator(const std::string& extra) {
  return "[postgres]\ndsn = \"x\"\n[[operators]]\nname = \"op\"\nhost = \"127.0.0.1\"\nport = 2775\n"
         "system_id = \"id\"\npassword = \"pw\"\n" + extra;
}

std::string ErrorOf(const std::string& extra) {
  Result<config::Config> c = config::LoadString(WithOperator(extra), "t.toml");
  return c.ok() ? "" : c.status().message();
}

TEST(OperatorConfigTest, OutOfRangeAndUnsendableValuesAreRefusedByName) {
  EXPECT_NE(ErrorOf("reconnect_max_s = 3000000\n").find("operators[0].reconnect_max_s: must be 1..3600"), std::string::npos);
  EXPECT_NE(ErrorOf("reconnect_max_s = 0\n").find("reconnect_max_s"), std::string::npos);
  // A value beyond int is refused, not wrapped (4294973675 mod 2^32 = 6379).
  EXPECT_NE(ErrorOf("window = 4294967306\n").find("operators[0].window"), std::string::npos);
  EXPECT_NE(ErrorOf("enquire_link_s = -3\n").find("enquire_link_s"), std::string::npos);
  EXPECT_NE(ErrorOf("system_type = \"far-too-long-type\"\n").find("operators[0].system_type"), std::string::npos);
  EXPECT_NE(ErrorOf("system_type = \"a\\u0000b\"\n").find("NUL"), std::string::npos);
  EXPECT_NE(ErrorOf("long_messages = \"smoke\"\n").find("long_messages: must be one of"), std::string::npos);
  EXPECT_NE(ErrorOf("refund_on = [\"delivered\"]\n").find("refund_on"), std::string::npos);
  EXPECT_NE(ErrorOf("response_timeout_ms = 70000\n").find("sched.claim_idle_ms"), std::string::npos);
  EXPECT_EQ(ErrorOf("bind = \"transmitter_receiver\"\nlong_messages = \"sar\"\nrefund_on = [\"undelivered\"]\n"), "");
}

TEST(OperatorConfigTest, ClientSettingsCannotOverflow) {
  config::OperatorConfig op;
  op.reconnect_max_s = 3600;
  op.reconnect_initial_ms = 500;
  op.inactivity_timeout_s = 86400;
  op.bind = "transmitter_receiver";
  op.long_messages = "payload";
  smpp::ClientConfig c = smpp::ClientConfigFromOperator(op);
  EXPECT_EQ(c.reconnect_max_ms, 3600000);
  EXPECT_EQ(c.reconnect_initial_ms, 500);
  EXPECT_EQ(c.inactivity_timeout_ms, 86400000);
  EXPECT_EQ(c.bind_mode, smpp::BindMode::kTransmitterReceiver);
  EXPECT_EQ(c.long_messages, smpp::LongMessages::kPayload);
  op.reconnect_max_s = 3000000;  // what the config refuses, were it to get through
  EXPECT_EQ(smpp::ClientConfigFromOperator(op).reconnect_max_ms, 3600000);
}

}  // namespace
}  // namespace smsgw
