#include "log/log.h"

#include <fcntl.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace smsgw::log {
namespace {

// The name standard error had at Init, when it was a regular file.
std::string& StderrPath() {
  static std::string path;
  return path;
}

}  // namespace

void Init(const std::string& program, const std::string& level) {
  auto logger = spdlog::stderr_logger_mt(program);
  const bool under_journald = std::getenv("JOURNAL_STREAM") != nullptr;
  logger->set_pattern(under_journald ? "%l %v" : "%Y-%m-%d %H:%M:%S.%e %n[%P] %l %v");
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  struct stat st {};
  char path[4096];
  const ssize_t n = readlink("/proc/self/fd/2", path, sizeof(path) - 1);
  if (fstat(STDERR_FILENO, &st) == 0 && S_ISREG(st.st_mode) && n > 0 && path[0] == '/') {
    StderrPath().assign(path, static_cast<size_t>(n));
  }
}

void SetLevel(const std::string& level) { spdlog::set_level(spdlog::level::from_str(level)); }

Status ReopenStderr() {
  if (StderrPath().empty()) return Status::Ok();
  // The stderr sink writes to fd 2 under its own lock; dup2 swaps the file under it at once,
  // so a line is written whole to the old file or to the new one.
  spdlog::default_logger()->flush();
  const int fd = open(StderrPath().c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return Status::Unavailable("reopen " + StderrPath() + ": " + std::strerror(errno));
  const int rc = dup2(fd, STDERR_FILENO);
  close(fd);
  if (rc < 0) return Status::Unavailable("reopen " + StderrPath() + ": " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace smsgw::log
