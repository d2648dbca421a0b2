#include "config/config.h"

#include <gtest/gtest.h>

namespace smsgw::config {
namespace {

constexpr const char* kMinimal = R"(
[postgres]
dsn = "host=127.0.0.1 dbname=smsgw"
)";

TEST(ConfigTest, MinimalFileTakesDefaults) {
  Result<Config> c = LoadString(kMinimal, "t.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->postgres.dsn, "host=127.0.0.1 dbname=smsgw");
  EXPECT_EQ(c->redis.port, 6379);
  EXPECT_EQ(c->api.listen, "127.0.0.1:8080");
  EXPECT_TRUE(c->operators.empty());
}

TEST(ConfigTest, MissingRequiredKeyIsNamed) {
  Result<Config> c = LoadString("[redis]\nport = 7000\n", "t.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("postgres.dsn: required key is missing"), std::string::npos)
      << c.status().message();
}

TEST(ConfigTest, UnknownKeyIsNamed) {
  Result<Config> c = LoadString(std::string(kMinimal) + "[api]\nlisen = \"x\"\n", "t.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("api.lisen: unknown key"), std::string::npos) << c.status().message();
}

TEST(ConfigTest, UnknownSectionIsNamed) {
  Result<Config> c = LoadString(std::string(kMinimal) + "[apii]\nlisten = \"x\"\n", "t.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("apii: unknown key"), std::string::npos);
}

TEST(ConfigTest, WrongTypeIsNamed) {
  Result<Config> c = LoadString(std::string(kMinimal) + "[redis]\nport = \"6379\"\n", "t.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("redis.port: wrong type"), std::string::npos) << c.status().message();
}

TEST(ConfigTest, BadValueIsNamed) {
  Result<Config> c = LoadString(std::string(kMinimal) + "[sched]\nnormal_min_share = 1.5\n", "t.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("sched.normal_min_share"), std::string::npos);
}

TEST(ConfigTest, ApiProtectionKeysAreReadAndChecked) {
  Result<Config> c = LoadString(std::string(kMinimal) +
                                    "[api]\nrate_limit_rps = 50\nrate_limit_burst = 100\nmax_header_bytes = 4096\n"
                                    "request_timeout_ms = 8000\nidempotency_wait_ms = 7000\n",
                                "t.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->api.rate_limit_rps, 50);
  EXPECT_EQ(c->api.rate_limit_burst, 100);
  EXPECT_EQ(c->api.max_header_bytes, 4096);
  EXPECT_EQ(c->api.idempotency_wait_ms, 7000);
  for (const char* bad : {"request_timeout_ms = 1000\n",  // not more than ledger_timeout_ms
                          "idempotency_wait_ms = 5000\n", "idempotency_stale_ms = 5000\n", "rate_limit_rps = 0\n",
                          "max_header_bytes = 100\n", "max_connections = 0\n"}) {
    Result<Config> refused = LoadString(std::string(kMinimal) + "[api]\n" + bad, "t.toml");
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(refused.status().message().find("api."), std::string::npos) << refused.status().message();
  }
}

TEST(ConfigTest, HoldTtlMustEndWithinTheHoldRetention) {
  Result<Config> c = LoadString(std::string(kMinimal) + "[ledger]\nhold_retention_s = 7\n", "t.toml");
  ASSERT_FALSE(c.ok());  // the default hold_ttl_s of a day outlives a 7 s retention
  EXPECT_NE(c.status().message().find("api.hold_ttl_s: must be at most 6"), std::string::npos)
      << c.status().message();
  c = LoadString(std::string(kMinimal) + "[api]\nhold_ttl_s = 6\n[ledger]\nhold_retention_s = 7\n", "t.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->ledger.hold_retention_s, 7);
  c = LoadString(std::string(kMinimal) + "[ledger]\nhold_retention_s = 6\n", "t.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("ledger.hold_retention_s"), std::string::npos) << c.status().message();
}

TEST(ConfigTest, OperatorsAreReadAndChecked) {
  std::string text = std::string(kMinimal) + R"(
[[operators]]
name = "op1"
host = "127.0.0.1"
port = 2775
system_id = "smsgw"
password = "secret"
prefixes = ["+98912", "+98935"]
window = 20
)";
  Result<Config> c = LoadString(text, "t.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->operators.size(), 1u);
  EXPECT_EQ(c->operators[0].window, 20);
  EXPECT_EQ(c->operators[0].prefixes.size(), 2u);

  Result<Config> missing = LoadString(std::string(kMinimal) + "[[operators]]\nname = \"x\"\n", "t.toml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("operators[0].host: required key is missing"), std::string::npos)
      << missing.status().message();
}

TEST(ConfigTest, SyntaxErrorIsReported) {
  Result<Config> c = LoadString("[postgres\n", "t.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kInvalidArgument);
}

TEST(ConfigTest, MissingFileIsReported) {
  Result<Config> c = LoadFile("/nonexistent/smsgw.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("/nonexistent/smsgw.toml"), std::string::npos);
}

}  // namespace
}  // namespace smsgw::config

namespace smsgw::config {
namespace {

// Review F3: toml11 3.7 reads out of bounds on a literal string holding bytes that are not
// UTF-8; such a file must be refused before toml11 sees it, naming the line.
TEST(ConfigTest, FileThatIsNotUtf8IsRefusedBeforeParsing) {
  const std::string latin1 = "[postgres]\ndsn = 'host=127.0.0.1 dbname=\xe9'\n";
  Result<Config> c = LoadString(latin1, "t.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("t.toml:2: not UTF-8"), std::string::npos) << c.status().ToString();
  Result<Config> ml = LoadString("[postgres]\ndsn = '''\xc9'''\n", "t.toml");
  EXPECT_FALSE(ml.ok());
}

// Review F6: integers too large for their field were silently taken modulo 2^32.
TEST(ConfigTest, IntegersOutsideTheirFieldAreRefused) {
  const std::string base = "[postgres]\ndsn = \"host=x\"\n";
  for (const char* bad : {"[redis]\nport = 4294973675\n", "[api]\nthreads = 4294967297\n",
                          "[api]\nthreads = -4294967295\n"}) {
    Result<Config> c = LoadString(base + bad, "t.toml");
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_NE(c.status().message().find("out of range"), std::string::npos) << c.status().ToString();
  }
  Result<Config> big = LoadString(base + "[api]\nmax_body_bytes = 4294967297\n", "t.toml");
  ASSERT_TRUE(big.ok()) << big.status().ToString();  // an int64 field takes it whole
  EXPECT_EQ(big->api.max_body_bytes, 4294967297);
}

// Review F7: values that make no sense were accepted.
TEST(ConfigTest, NonsenseTimeoutsAreRefused) {
  const std::string base = "[postgres]\ndsn = \"host=x\"\n";
  EXPECT_FALSE(LoadString(base + "[redis]\ntimeout_ms = -1\n", "t.toml").ok());
  EXPECT_FALSE(LoadString(base + "[redis]\ntimeout_ms = 0\n", "t.toml").ok());
  EXPECT_FALSE(LoadString(base + "[api]\nauth_cache_ms = -5\n", "t.toml").ok());
}

// A message waits for its receipt as long as its key lives, unless told a shorter time; never
// longer, since a receipt cannot match once its key is gone.
TEST(ConfigTest, ReceiptWaitDefaultsToTheReceiptTtl) {
  const std::string base = "[postgres]\ndsn = \"host=x\"\n";
  Result<Config> c = LoadString(base + "[sched]\nreceipt_ttl_s = 3600\n", "t.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->sched.receipt_wait_s, 3600);
  c = LoadString(base + "[sched]\nreceipt_wait_s = 600\n", "t.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->sched.receipt_wait_s, 600);
  EXPECT_EQ(c->sched.receipt_ttl_s, 172800);
  for (const char* bad : {"[sched]\nreceipt_wait_s = 0\n", "[sched]\nreceipt_ttl_s = 60\nreceipt_wait_s = 61\n"}) {
    Result<Config> r = LoadString(base + bad, "t.toml");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("sched.receipt_wait_s"), std::string::npos) << r.status().ToString();
  }
}

}  // namespace
}  // namespace smsgw::config
