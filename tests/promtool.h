#pragma once

// Prometheus' own linter on a text exposition: `promtool check metrics` (Debian package
// prometheus, installed by scripts/setup). For metrics_test and daemon_metrics_test.
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <utility>

namespace smsgw::testing {

// Its exit code and what it printed.
inline std::pair<int, std::string> Promtool(const std::string& text) {
  char path[] = "/tmp/smsgw-metrics-XXXXXX";
  const int fd = mkstemp(path);
  EXPECT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  FILE* p = popen(("promtool check metrics < " + std::string(path) + " 2>&1").c_str(), "r");
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof(buf), p)) out.append(buf, n);
  const int status = pclose(p);
  unlink(path);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace smsgw::testing
