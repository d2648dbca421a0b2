#include "metrics/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/version.h"

namespace smsgw::metrics {
namespace {

// Fields of /proc/self/stat after the command name: utime and stime are fields 14 and 15,
// num_threads 20, vsize 23, rss 24 (in pages), counting from 1 as proc(5) does.
std::vector<std::string> StatFields() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  // The command name is in parentheses and may hold spaces: skip past the last ')'.
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::vector<std::string> fields{"pid", "comm"};
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;
}

double StatField(size_t one_based) {
  std::vector<std::string> f = StatFields();
  return one_based <= f.size() ? std::stod(f[one_based - 1]) : 0;
}

double OpenFds() {
  std::error_code ec;
  double n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return n;
}

}  // namespace

ProcessMetrics::ProcessMetrics(const std::string& program, Registry& registry) : callbacks_(registry) {
  const double start = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  callbacks_.Gauge("smsgw_build_info", "Always 1; the labels say which program and version this is.",
                   {{"program", program}, {"version", kVersion}}, [] { return 1.0; });
  callbacks_.Gauge("process_start_time_seconds", "Start time of the process since the Unix epoch in seconds.", {},
                   [start] { return start; });
  callbacks_.Counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", {}, [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  });
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  callbacks_.Gauge("process_resident_memory_bytes", "Resident memory size in bytes.", {},
                   [page] { return StatField(24) * page; });
  callbacks_.Gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", {}, [] { return StatField(23); });
  callbacks_.Gauge("process_threads", "Number of OS threads in the process.", {}, [] { return StatField(20); });
  callbacks_.Gauge("process_open_fds", "Number of open file descriptors.", {}, [] { return OpenFds(); });
  callbacks_.Gauge("process_max_fds", "Maximum number of open file descriptors.", {}, [] {
    rlimit l{};
    getrlimit(RLIMIT_NOFILE, &l);
    return static_cast<double>(l.rlim_cur);
  });
}

}  // namespace smsgw::metrics
