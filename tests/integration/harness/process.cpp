#include "process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace smsgw::testing {
namespace {

// The current environment with `extra` ("NAME=value") added or replacing.
std::vector<std::string> Environment(const std::vector<std::string>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const std::string& x : extra) replaced = replaced || x.substr(0, x.find('=')) == name;
    if (!replaced) out.push_back(entry);
  }
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

pid_t Spawn(const std::vector<std::string>& argv, const std::string& out_path, const std::string& err_path,
            const std::vector<std::string>& env = {}) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (err_path == out_path) {
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
  } else {
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  // The daemons block SIGTERM in their threads and wait for it; a child must start unblocked.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const std::vector<std::string> environment = Environment(env);
  std::vector<char*> envp;
  for (const auto& e : environment) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  return pid;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Polls waitpid until the child exits or `timeout_ms` passes. Returns true if it exited.
bool WaitFor(pid_t pid, int* status, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    const pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    if (r < 0) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

Process::Process(std::string name, std::vector<std::string> argv, std::string log_path, std::vector<std::string> env)
    : name_(std::move(name)), log_path_(std::move(log_path)) {
  pid_ = Spawn(argv, log_path_, log_path_, env);
}

Process::~Process() { Stop(); }

bool Process::Running() {
  if (pid_ < 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    status_ = status;
    pid_ = -1;
    return false;
  }
  return true;
}

int Process::Stop(int grace_ms) {
  if (pid_ < 0) return status_;
  kill(pid_, SIGTERM);
  int status = 0;
  if (!WaitFor(pid_, &status, grace_ms)) {
    kill(pid_, SIGKILL);
    WaitFor(pid_, &status, 5000);
  }
  pid_ = -1;
  status_ = status;
  return status;
}

void Process::Kill() {
  if (pid_ < 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  WaitFor(pid_, &status, 5000);
  pid_ = -1;
  status_ = status;
}

int Process::WaitExit(int timeout_ms) {
  if (pid_ < 0) return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  int status = 0;
  if (!WaitFor(pid_, &status, timeout_ms)) return -1;
  pid_ = -1;
  status_ = status;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string Process::Log() const { return ReadFile(log_path_); }

CommandResult RunCommand(const std::vector<std::string>& argv, int timeout_ms) {
  char out_tmpl[] = "/tmp/smsgw-cmd-out-XXXXXX";
  char err_tmpl[] = "/tmp/smsgw-cmd-err-XXXXXX";
  close(mkstemp(out_tmpl));
  close(mkstemp(err_tmpl));
  CommandResult result;
  const pid_t pid = Spawn(argv, out_tmpl, err_tmpl);
  int status = 0;
  if (!WaitFor(pid, &status, timeout_ms)) {
    kill(pid, SIGKILL);
    WaitFor(pid, &status, 5000);
    result.err = "timed out";
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  result.out = ReadFile(out_tmpl);
  result.err += ReadFile(err_tmpl);
  unlink(out_tmpl);
  unlink(err_tmpl);
  return result;
}

}  // namespace smsgw::testing
