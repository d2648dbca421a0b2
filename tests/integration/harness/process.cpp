#include "process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
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

// The test's environment with `extra` ("NAME=value") added, replacing entries of the same name.
std::vector<std::string> Environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const std::string& x : extra) replaced = replaced || x.substr(0, x.find('=')) == name;
    if (!replaced) env.push_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

// Starts argv[0] with stdin from /dev/null, stdout to `out_path` (appended) and stderr to
// `err_path` (the same file, or truncated). fork + exec rather than posix_spawn, for one call in
// between: the child is killed with the test that started it, however the test ends (an ASan
// abort, a ctest timeout), because a daemon left behind would share the next test's Redis.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& out_path, const std::string& err_path,
            const std::vector<std::string>& extra_env = {}) {
  // Everything the child needs is built before fork: after it, only async-signal-safe calls.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings = Environment(extra_env);
  std::vector<char*> env;
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  const bool same = err_path == out_path;
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("cannot start " + argv[0]);
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the test ended before prctl took effect
    // The daemons block SIGTERM in their threads and wait for it; a child must start unblocked.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    const int in = open("/dev/null", O_RDONLY);
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int err = same ? out : open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(126);
    execve(args[0], args.data(), env.data());
    _exit(127);
  }
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

Process::Process(std::string name, std::vector<std::string> argv, std::string log_path,
                 const std::vector<std::string>& env)
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
