// contrib/systemd: every unit passes `systemd-analyze verify` without a single warning (it
// works offline, without systemd running), and says what a well-kept service says.
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace {

namespace fs = std::filesystem;

const std::string kUnits = std::string(SMSGW_SOURCE_DIR) + "/contrib/systemd";

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::pair<int, std::string> Shell(const std::string& cmd) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof(buf), p)) out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(SystemdUnitsTest, EveryUnitVerifiesWithoutWarnings) {
  // The units name the installed binaries; verify checks that ExecStart= is executable, so a
  // copy names the built ones.
  const fs::path dir = fs::temp_directory_path() / ("smsgw-units-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string build(SMSGW_BUILD_DIR);
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kUnits)) {
    std::string text = Read(entry.path());
    for (const auto& [bin, path] : std::vector<std::pair<std::string, std::string>>{
             {"smsgw-api", "/daemons/api/smsgw-api"},
             {"smsgw-ledger", "/daemons/ledger/smsgw-ledger"},
             {"smsgw-sched", "/daemons/sched/smsgw-sched"},
             {"smsgw-report", "/daemons/report/smsgw-report"}}) {
      text = std::regex_replace(text, std::regex("/usr/sbin/" + bin + " "), build + path + " ");
    }
    std::ofstream(dir / entry.path().filename()) << text;
    std::string name = entry.path().filename();
    // A template is verified through an instance of it.
    if (name.find("@.") != std::string::npos) name.insert(name.find('@') + 1, "2");
    names.push_back(name);
  }
  ASSERT_EQ(names.size(), 7u);  // four daemons, two templates, the target
  std::string args;
  for (const std::string& n : names) args += " ./" + n;
  auto [code, out] = Shell("cd " + dir.string() + " && systemd-analyze verify --man=no" + args);
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(out, "") << "systemd-analyze verify warned:\n" << out;
  fs::remove_all(dir);
}

TEST(SystemdUnitsTest, DaemonUnitsAreNotifyWatchdogRestartAndHardened) {
  for (const char* unit : {"smsgw-api.service", "smsgw-ledger.service", "smsgw-sched.service",
                           "smsgw-report.service", "smsgw-sched@.service", "smsgw-report@.service"}) {
    const std::string text = Read(fs::path(kUnits) / unit);
    for (const char* line : {"Type=notify", "WatchdogSec=30s", "Restart=on-failure", "User=smsgw",
                             "ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes", "ProtectHome=yes",
                             "ExecReload=/bin/kill -HUP $MAINPID", "WantedBy=smsgw.target", "PartOf=smsgw.target"}) {
      EXPECT_NE(text.find(std::string("\n") + line + "\n"), std::string::npos) << unit << " lacks " << line;
    }
  }
  const std::string target = Read(fs::path(kUnits) / "smsgw.target");
  for (const char* d : {"smsgw-api", "smsgw-ledger", "smsgw-sched", "smsgw-report"}) {
    EXPECT_NE(target.find(std::string(d) + ".service"), std::string::npos) << d;
  }
}

}  // namespace
