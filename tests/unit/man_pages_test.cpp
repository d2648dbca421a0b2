// The man pages and the bash completion keep up with the code: every smsctl subcommand and
// option (walking CLI11's tree), every exit code, every simulator flag (from its --help), the
// daemons' flags and every config key (from the loader's own list) appear where they should.
#include <gtest/gtest.h>
#include <stdio.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "config/key_names.h"
#include "context.h"

namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A page as its reader sees the words: font escapes dropped, \- as -.
std::string Page(const std::string& name) {
  std::string text = Read(std::string(SMSGW_SOURCE_DIR) + "/man/" + name);
  EXPECT_FALSE(text.empty()) << name;
  text = std::regex_replace(text, std::regex(R"(\\f[BIRP])"), "");
  text = std::regex_replace(text, std::regex(R"(\\-)"), "-");
  text = std::regex_replace(text, std::regex(R"(\\\(em)"), "-");
  // .B and .BR lines: "foo " " bar" quoting is not part of the words.
  text = std::regex_replace(text, std::regex("\""), " ");
  return text;
}

bool HasWord(const std::string& text, const std::string& word) {
  return std::regex_search(text, std::regex("(^|[^A-Za-z0-9_-])" + std::regex_replace(word, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
                                            "($|[^A-Za-z0-9_-])"));
}

// The text of a section: from ".SH <title>" (or ".SS <title>") to the next heading of that level.
std::string Section(const std::string& page, const std::string& heading) {
  const size_t at = page.find(heading + "\n");
  if (at == std::string::npos) return "";
  const std::string level = heading.substr(0, 3);
  const size_t end = page.find("\n" + level + " ", at + heading.size());
  return page.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

struct Command {
  std::string path;                  // "streams pending"
  std::vector<std::string> options;  // "--group", ...
};

void Walk(const CLI::App* app, const std::string& prefix, std::vector<Command>& out) {
  for (const CLI::App* sub : app->get_subcommands([](const CLI::App*) { return true; })) {
    Command c{prefix + sub->get_name(), {}};
    for (const CLI::Option* o : sub->get_options()) {
      for (const std::string& l : o->get_lnames()) {
        if (l != "help") c.options.push_back("--" + l);
      }
    }
    out.push_back(c);
    Walk(sub, c.path + " ", out);
  }
}

std::vector<Command> SmsctlCommands(std::vector<std::string>* global = nullptr) {
  static CLI::App app{"smsctl"};
  static smsgw::smsctl::Context ctx;
  static smsgw::smsctl::Action run;
  static bool built = false;
  if (!built) smsgw::smsctl::BuildApp(app, ctx, run);
  built = true;
  if (global != nullptr) {
    for (const CLI::Option* o : app.get_options()) {
      for (const std::string& l : o->get_lnames()) {
        if (l != "help") global->push_back("--" + l);
      }
    }
  }
  std::vector<Command> out;
  Walk(&app, "", out);
  return out;
}

TEST(ManPagesTest, SmsctlPageHasEverySubcommandAndOption) {
  const std::string page = Page("smsctl.1");
  const std::string commands = Section(page, ".SH COMMANDS");
  std::vector<std::string> global;
  const std::vector<Command> all = SmsctlCommands(&global);
  ASSERT_GT(all.size(), 10u);
  for (const Command& c : all) {
    EXPECT_NE(commands.find(c.path), std::string::npos) << "smsctl.1 COMMANDS lacks \"" << c.path << "\"";
    for (const std::string& o : c.options) EXPECT_TRUE(HasWord(commands, o)) << "smsctl.1 lacks " << c.path << " " << o;
  }
  const std::string options = Section(page, ".SH OPTIONS");
  for (const std::string& o : global) EXPECT_TRUE(HasWord(options, o)) << "smsctl.1 OPTIONS lacks " << o;
}

TEST(ManPagesTest, SmsctlPageHasEveryExitCode) {
  const std::string exit_status = Section(Page("smsctl.1"), ".SH EXIT STATUS");
  for (int code = 0; code <= static_cast<int>(smsgw::ErrorCode::kInternal); ++code) {
    const int exit_code = smsgw::smsctl::ExitCodeFor(smsgw::Status(static_cast<smsgw::ErrorCode>(code), "x"));
    EXPECT_TRUE(HasWord(exit_status, std::to_string(exit_code))) << "EXIT STATUS lacks " << exit_code;
  }
}

TEST(ManPagesTest, SimulatorPageHasEveryFlag) {
  FILE* p = popen((std::string(SMSGW_BUILD_DIR) + "/cmd/smsgw-smsc-sim/smsgw-smsc-sim --help").c_str(), "r");
  std::string help;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof(buf), p)) help.append(buf, n);
  pclose(p);
  std::set<std::string> flags;
  const std::regex flag("--[a-z][a-z-]+");
  for (std::sregex_iterator it(help.begin(), help.end(), flag), end; it != end; ++it) {
    if (it->str() != "--help") flags.insert(it->str());
  }
  ASSERT_GE(flags.size(), 5u) << help;
  const std::string page = Page("smsgw-smsc-sim.1");
  for (const std::string& f : flags) EXPECT_TRUE(HasWord(Section(page, ".SH OPTIONS"), f)) << "smsgw-smsc-sim.1 OPTIONS lacks " << f;
}

TEST(ManPagesTest, DaemonPagesHaveTheirFlagsMetricsAndSignals) {
  for (const char* page_name : {"smsgw-api.8", "smsgw-ledger.8", "smsgw-sched.8", "smsgw-report.8"}) {
    const std::string page = Page(page_name);
    for (const char* flag : {"--config", "--check-config", "--version"}) {
      EXPECT_TRUE(HasWord(Section(page, ".SH OPTIONS"), flag)) << page_name << " OPTIONS lacks " << flag;
    }
    for (const char* word : {"metrics_listen", "/metrics", "/healthz", "SIGHUP", "SIGTERM", "WatchdogSec="}) {
      EXPECT_NE(page.find(word), std::string::npos) << page_name << " lacks " << word;
    }
  }
}

TEST(ManPagesTest, ConfigPageHasEveryKeyInItsSection) {
  const std::string page = Page("smsgw.toml.5");
  const std::vector<std::string> keys = smsgw::config::KeyNames();
  ASSERT_GT(keys.size(), 40u);
  for (const std::string& key : keys) {
    const std::string section = key.substr(0, key.find('.'));
    const std::string name = key.substr(key.find('.') + 1);
    const std::string heading = section == "operators" ? ".SS [[operators]]" : ".SS [" + section + "]";
    const std::string text = Section(page, heading);
    ASSERT_FALSE(text.empty()) << "smsgw.toml.5 has no section " << heading;
    EXPECT_TRUE(HasWord(text, name)) << "smsgw.toml.5 " << heading << " lacks " << name;
  }
}

TEST(ManPagesTest, BashCompletionKnowsEveryCommandAndOption) {
  const std::string completion = Read(std::string(SMSGW_SOURCE_DIR) + "/contrib/bash-completion/smsctl");
  ASSERT_FALSE(completion.empty());
  std::vector<std::string> global;
  for (const Command& c : SmsctlCommands(&global)) {
    const std::string last = c.path.substr(c.path.rfind(' ') == std::string::npos ? 0 : c.path.rfind(' ') + 1);
    EXPECT_TRUE(HasWord(completion, last)) << "completion lacks " << c.path;
    for (const std::string& o : c.options) EXPECT_TRUE(HasWord(completion, o)) << "completion lacks " << c.path << " " << o;
  }
  for (const std::string& o : global) EXPECT_TRUE(HasWord(completion, o)) << "completion lacks " << o;
}

}  // namespace
