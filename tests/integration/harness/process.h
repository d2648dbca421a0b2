#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace smsgw::testing {

// A child process with stdout and stderr in a log file. Stopped with SIGTERM (then SIGKILL
// after a grace period) when destroyed, so a failing test never leaves daemons behind.
class Process {
 public:
  // `env`: "NAME=value" entries added to (or replacing those of) this process's environment.
  Process(std::string name, std::vector<std::string> argv, std::string log_path, std::vector<std::string> env = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  const std::string& name() const { return name_; }
  const std::string& log_path() const { return log_path_; }
  pid_t pid() const { return pid_; }
  bool Running();
  // SIGTERM, then waits up to `grace_ms` before SIGKILL. Returns the exit status as waitpid
  // reports it (use WIFEXITED/WEXITSTATUS), or -1 if it was already reaped.
  int Stop(int grace_ms = 10000);
  // SIGKILL at once: a crash, as far as the process can tell.
  void Kill();
  // Waits up to `timeout_ms` for the process to exit by itself; returns its exit code, or -1.
  int WaitExit(int timeout_ms);
  std::string Log() const;

 private:
  std::string name_;
  std::string log_path_;
  pid_t pid_ = -1;
  int status_ = -1;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a command to completion (bounded by `timeout_ms`) and captures its output.
CommandResult RunCommand(const std::vector<std::string>& argv, int timeout_ms = 30000);

}  // namespace smsgw::testing
