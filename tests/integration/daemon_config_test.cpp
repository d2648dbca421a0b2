// A daemon whose config is wrong refuses to start and names the key.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "stack.h"

namespace smsgw::testing {
namespace {

std::string WriteTemp(const std::string& text) {
  char path[] = "/tmp/smsgw-config-XXXXXX";
  close(mkstemp(path));
  std::ofstream(path) << text;
  return path;
}

TEST(DaemonConfigTest, MissingRequiredKeyIsNamedAndStartRefused) {
  const std::string path = WriteTemp("[redis]\nport = 6379\n");
  for (const char* daemon : {"smsgw-api", "smsgw-ledger", "smsgw-sched", "smsgw-report"}) {
    CommandResult r = RunCommand({Stack::BinaryPath(daemon), "--config", path});
    EXPECT_NE(r.exit_code, 0) << daemon;
    EXPECT_NE(r.err.find("postgres.dsn: required key is missing"), std::string::npos) << daemon << ": " << r.err;
  }
  unlink(path.c_str());
}

TEST(DaemonConfigTest, UnknownKeyIsNamedAndStartRefused) {
  const std::string path = WriteTemp("[postgres]\ndsn = \"host=127.0.0.1\"\n[api]\nlisten_addr = \"x\"\n");
  for (const char* daemon : {"smsgw-api", "smsgw-ledger", "smsgw-sched", "smsgw-report"}) {
    CommandResult r = RunCommand({Stack::BinaryPath(daemon), "--config", path});
    EXPECT_NE(r.exit_code, 0) << daemon;
    EXPECT_NE(r.err.find("api.listen_addr: unknown key"), std::string::npos) << daemon << ": " << r.err;
  }
  unlink(path.c_str());
}

TEST(DaemonConfigTest, CheckConfigAcceptsAGoodFile) {
  const std::string path = WriteTemp("[postgres]\ndsn = \"host=127.0.0.1\"\n");
  CommandResult r = RunCommand({Stack::BinaryPath("smsgw-ledger"), "--config", path, "--check-config"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  unlink(path.c_str());
}

TEST(DaemonConfigTest, SmsctlReportsAMissingConfigFileWithNonZeroExit) {
  CommandResult r = RunCommand({Stack::BinaryPath("smsctl"), "--config", "/nonexistent/smsgw.toml", "balance", "1"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("/nonexistent/smsgw.toml"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace smsgw::testing
