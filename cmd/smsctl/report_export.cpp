// smsctl report export: an account's messages as CSV or JSON Lines, streamed from smsgw-report
// to a file or stdout, with a progress bar on a terminal and a summary line.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <tuple>

#include "common/rfc3339.h"
#include "common/time.h"
#include "proto/names.h"
#include "report_options.h"
#include "rpc/clients.h"

namespace smsgw::smsctl {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;
constexpr int kMaxStatsDays = 366;
constexpr int kBarWidth = 30;

// An estimate of the rows to come, from the per-day stats (days that overlap the range, so it
// may be a little high); 0 when unknown (the range starts more than a year back).
int64_t EstimateRows(rpc::ReportClient& client, const v1::ExportRequest& req) {
  const int64_t now = NowMs();
  const int64_t since = req.since_ms() > 0 ? req.since_ms() : 0;
  const int64_t days = (now / kMsPerDay) - (since / kMsPerDay) + 1;
  if (since == 0 || days > kMaxStatsDays || days < 1) return 0;
  v1::StatsRequest stats_req;
  stats_req.set_account_id(req.account_id());
  stats_req.set_days(static_cast<int32_t>(days));
  Result<v1::StatsReply> stats = client.GetStats(stats_req);
  if (!stats.ok()) return 0;
  int64_t total = 0;
  for (const v1::StatsRow& r : stats->days()) {
    if (req.until_ms() > 0 && r.start_ms() >= req.until_ms()) continue;
    if (r.start_ms() + kMsPerDay <= since) continue;
    bool wanted = req.statuses_size() == 0;
    for (int s : req.statuses()) wanted = wanted || s == r.status();
    if (wanted) total += r.messages();
  }
  return total;
}

// Redraws one line on stderr, at most ten times a second.
class Progress {
 public:
  Progress(bool enabled, int64_t expected) : enabled_(enabled), expected_(expected) {}
  void Update(int64_t rows, int64_t bytes, bool last) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (!last && now - drawn_ < std::chrono::milliseconds(100)) return;
    drawn_ = now;
    std::string bar;
    if (expected_ > 0) {
      const int64_t shown = last ? expected_ : std::min(rows, expected_);
      const int filled = static_cast<int>(shown * kBarWidth / expected_);
      bar = "[" + std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(kBarWidth - filled), ' ') +
            "] " + std::to_string(shown * 100 / expected_) + "% ";
    }
    std::fprintf(stderr, "\r%s%lld rows, %.1f MB   ", bar.c_str(), static_cast<long long>(rows), bytes / 1e6);
    if (last) std::fprintf(stderr, "\n");
  }

 private:
  bool enabled_;
  int64_t expected_;
  std::chrono::steady_clock::time_point drawn_;
};

}  // namespace

void AddExportCommand(CLI::App& report, Context& ctx, Action& run) {
  struct Options {
    int64_t account = 0;
    std::string since, until, status, file;
    std::string format = "csv";
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = report.add_subcommand("export", "stream an account's messages as CSV or JSON Lines");
  cmd->add_option("--account", o->account, "account id")->required()->check(CLI::PositiveNumber);
  cmd->add_option("--since", o->since, "created at or after (RFC 3339 or YYYY-MM-DD, UTC)")->required();
  cmd->add_option("--until", o->until, "created before (RFC 3339 or YYYY-MM-DD, UTC)")->required();
  cmd->add_option("--status", o->status, "only these statuses (comma-separated)");
  cmd->add_option("--format", o->format, "csv or jsonl (default csv)")->check(CLI::IsMember({"csv", "jsonl"}));
  cmd->add_option("-o,--file", o->file, "write to this file (default: standard output)");
  cmd->callback([&ctx, &run, o] {
    run = [&ctx, o]() -> Status {
      Result<Filters> f = ParseFilters(o->status, o->since, o->until);
      if (!f.ok()) return f.status();
      v1::ExportRequest req;
      req.set_account_id(o->account);
      req.set_format(o->format == "jsonl" ? v1::EXPORT_JSONL : v1::EXPORT_CSV);
      req.set_since_ms(f->since_ms);
      req.set_until_ms(f->until_ms);
      for (v1::MessageStatus s : f->statuses) req.add_statuses(s);
      Result<config::Config> config = ctx.LoadConfig();
      if (!config.ok()) return config.status();
      rpc::ReportClient client(config->api.report_address);

      std::ofstream file;
      if (!o->file.empty()) {
        file.open(o->file, std::ios::binary | std::ios::trunc);
        if (!file) return Status::InvalidArgument("--file: cannot write " + o->file);
      }
      std::ostream& out = o->file.empty() ? std::cout : file;
      // A bar only when a person watches: stderr is a terminal and the data does not go there.
      const bool tty = isatty(STDERR_FILENO) != 0 && (!o->file.empty() || isatty(STDOUT_FILENO) == 0);
      Progress progress(tty, tty ? EstimateRows(client, req) : 0);
      const auto started = std::chrono::steady_clock::now();
      int64_t rows = 0, bytes = 0;
      Status s = client.ExportMessages(req, [&](const v1::ExportChunk& chunk) {
        out.write(chunk.data().data(), static_cast<std::streamsize>(chunk.data().size()));
        rows += chunk.rows();
        bytes += static_cast<int64_t>(chunk.data().size());
        progress.Update(rows, bytes, false);
        return static_cast<bool>(out);
      });
      out.flush();
      if (s.ok() && !out) s = Status::Internal("writing the export failed (disk full?)");
      progress.Update(rows, bytes, true);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::fprintf(stderr, "%s %lld rows, %lld bytes in %.1f s\n", s.ok() ? "exported" : "export failed after",
                   static_cast<long long>(rows), static_cast<long long>(bytes), seconds);
      return s;
    };
  });
}

Result<Filters> ParseFilters(const std::string& status, const std::string& since, const std::string& until) {
  Filters f;
  if (!status.empty()) {
    size_t start = 0;
    while (true) {
      const size_t comma = status.find(',', start);
      const std::string name = status.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      const v1::MessageStatus s = v1::StatusFromName(name);
      if (s == v1::STATUS_UNSPECIFIED) return Status::InvalidArgument("--status: unknown status \"" + name + "\"");
      f.statuses.push_back(s);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  for (auto [text, out, name] : {std::tuple{&since, &f.since_ms, "--since"}, std::tuple{&until, &f.until_ms, "--until"}}) {
    if (text->empty()) continue;
    Result<int64_t> ms = ParseRfc3339Ms(*text);
    if (!ms.ok()) return ms.status().WithContext(name);
    *out = *ms;
  }
  if (f.until_ms > 0 && f.until_ms <= f.since_ms) return Status::InvalidArgument("--until: must be after --since");
  return f;
}

}  // namespace smsgw::smsctl
