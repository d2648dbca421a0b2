// smsctl top: what the gateway does now, refreshed every second.
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <thread>

#include "common/time.h"
#include "context.h"
#include "redis/redis.h"
#include "top_model.h"

namespace smsgw::smsctl {
namespace {

constexpr int kTopAccounts = 5;

Result<TopSample> Sample(redis::Connection& redis, const config::Config& config) {
  TopSample s;
  s.at = std::chrono::steady_clock::now();
  Result<QueueSnapshot> q = ReadQueues(redis, kTopAccounts, NowMs());
  if (!q.ok()) return q.status();
  s.queues = std::move(q).value();
  s.daemons = ProbeDaemons(config, true);
  return s;
}

// The terminal in "one key at a time, no echo" mode while top runs; restored on the way out.
class RawTerminal {
 public:
  RawTerminal() {
    if (tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios raw = saved_;
    raw.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO));
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    active_ = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
  }
  ~RawTerminal() {
    if (active_) tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }
  // Waits up to `ms` for a key; true if it was q or Q.
  bool Quit(int ms) {
    pollfd p{STDIN_FILENO, POLLIN, 0};
    if (poll(&p, 1, ms) <= 0) return false;
    char c = 0;
    return read(STDIN_FILENO, &c, 1) == 1 && (c == 'q' || c == 'Q');
  }

 private:
  termios saved_{};
  bool active_ = false;
};

std::atomic<bool> g_interrupted{false};

Status Top(const Context& ctx, bool once, double interval_s) {
  Result<config::Config> config = ctx.LoadConfig();
  if (!config.ok()) return config.status();
  Result<std::unique_ptr<redis::Connection>> redis = redis::Connection::Open(config->redis);
  if (!redis.ok()) return redis.status();
  const auto interval = std::chrono::milliseconds(static_cast<int64_t>(interval_s * 1000));
  Result<TopSample> before = Sample(**redis, *config);
  if (!before.ok()) return before.status();
  // Not on a terminal, or asked: one screen of plain text (rates over one interval) and out.
  if (once || !isatty(STDOUT_FILENO)) {
    std::this_thread::sleep_for(interval);
    Result<TopSample> now = Sample(**redis, *config);
    if (!now.ok()) return now.status();
    const nlohmann::json figures = TopFigures(*before, *now, *config);
    ctx.Print(figures, RenderTop(figures, 0));
    return Status::Ok();
  }
  RawTerminal terminal;
  std::signal(SIGINT, [](int) { g_interrupted = true; });
  std::cout << "\x1b[?25l";  // hide the cursor
  while (!g_interrupted) {
    if (terminal.Quit(static_cast<int>(interval.count()))) break;
    Result<TopSample> now = Sample(**redis, *config);
    winsize ws{};
    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws);
    std::cout << "\x1b[H\x1b[2J";
    if (!now.ok()) {
      std::cout << "smsctl top: " << now.status().message() << "\n" << std::flush;
      continue;
    }
    std::cout << "smsgw top - " << NowMs() / 1000 << "  (q quits)\n"
              << RenderTop(TopFigures(*before, *now, *config), ws.ws_col > 0 ? ws.ws_col : 120) << std::flush;
    before = std::move(now);
  }
  std::cout << "\x1b[?25h" << std::flush;
  return Status::Ok();
}

}  // namespace

void AddTopCommand(CLI::App& app, Context& ctx, Action& run) {
  struct TopOptions {
    bool once = false;
    double interval_s = 1;
  };
  auto o = std::make_shared<TopOptions>();
  CLI::App* top = app.add_subcommand("top", "a live view of throughput, queues, latency, operators and errors");
  top->add_flag("--once", o->once, "print one screen as plain text and exit (the default when not on a terminal)");
  top->add_option("--interval", o->interval_s, "seconds between refreshes, and over which rates are measured")
      ->check(CLI::Range(0.1, 60.0));
  top->callback([&ctx, &run, o] { run = [&ctx, o] { return Top(ctx, o->once, o->interval_s); }; });
}

}  // namespace smsgw::smsctl
