// smsgw-bench-report-pages: how long one page of GET /v1/messages takes for an account with
// many rows. Loads --rows messages of one account over --days daily partitions with COPY (once;
// a later run with the same --account reuses them), then asks a running smsgw-report's
// ListMessages over gRPC --samples times each for: the newest page, pages at random depths
// (keyset cursors anywhere in the range), and pages filtered by status, destination and
// client reference, and prints p50/p99/max per kind. Exits 1 when a p99 is above
// --target-p99-ms (10). Loopback only; every loop is bounded by --samples.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <pqxx/pqxx>
#include <pqxx/tablewriter>
#include <random>
#include <string>
#include <vector>

#include "common/rfc3339.h"
#include "report/cursor.h"
#include "rpc/clients.h"
#include "sms/uuid7.h"
#include "stats.h"

namespace smsgw::bench {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;
constexpr int64_t kRowsPerCopy = 200'000;
constexpr int kDestinations = 1000;  // each destination has rows / 1000 messages

struct Options {
  std::string pg_dsn;
  std::string report_address = "127.0.0.1:7002";
  int64_t account = 900'000'001;
  int64_t rows = 10'000'000;
  int days = 10;
  int samples = 200;
  int limit = 100;
  double target_p99_ms = 10;
};


int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The rows of message i: spread evenly over the range, statuses and destinations cycling.
void Load(const Options& o, int64_t first_ms, int64_t span_ms) {
  pqxx::connection c(o.pg_dsn);
  {
    pqxx::work tx(c);
    const int64_t have =
        tx.exec_params1("SELECT count(*) FROM messages WHERE account_id = $1", o.account)[0].as<int64_t>();
    if (have >= o.rows) {
      std::printf("reusing %lld rows of account %lld\n", static_cast<long long>(have), static_cast<long long>(o.account));
      return;
    }
    tx.exec("SELECT smsgw_ensure_message_partitions(" + std::to_string(o.days + 1) + ", 1)");
    tx.commit();
  }
  static const char* kStatuses[] = {"delivered", "delivered", "delivered", "delivered", "undelivered", "failed", "expired"};
  std::mt19937_64 rng(1);
  const auto started = std::chrono::steady_clock::now();
  for (int64_t done = 0; done < o.rows;) {
    pqxx::work tx(c);
    // Bulk load: the statement triggers (stats, callbacks) would get one huge transition table.
    tx.exec0("SET LOCAL session_replication_role = replica");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    static const std::vector<std::string> kColumns = {"id", "account_id", "created_at", "status", "to_number",
                                                      "encoding", "segments", "cost", "priority", "client_ref"};
    pqxx::tablewriter copy(tx, "messages", kColumns.begin(), kColumns.end());
    std::string line;
    const int64_t end = std::min(o.rows, done + kRowsPerCopy);
    for (int64_t i = done; i < end; ++i) {
      const int64_t ms = first_ms + i * span_ms / o.rows;
      std::string ts = FormatRfc3339Ms(ms);
      line = sms::UuidV7At(ms, rng()) + "\t" + std::to_string(o.account) + "\t" + ts + "\t" + kStatuses[i % 7] + "\t+98912" +
             std::to_string(1000000 + i % kDestinations) + "\tgsm7\t1\t10\tnormal\tref-" + std::to_string(i);
      copy.write_raw_line(line);
    }
    copy.complete();
#pragma GCC diagnostic pop
    tx.commit();
    done = end;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("\rloaded %lld rows (%.0f rows/s)", static_cast<long long>(done), done / s);
    std::fflush(stdout);
  }
  std::printf("\n");
  pqxx::nontransaction(c).exec0("ANALYZE messages");
}

struct Kind {
  std::string name;
  std::vector<double> ms;
};

}  // namespace
}  // namespace smsgw::bench

int main(int argc, char** argv) {
  using namespace smsgw;
  using namespace smsgw::bench;
  Options o;
  CLI::App app{"smsgw-bench-report-pages: page latency of the message list at scale"};
  app.add_option("--pg-dsn", o.pg_dsn, "PostgreSQL on loopback")->required();
  app.add_option("--report-address", o.report_address, "smsgw-report's gRPC address (loopback)");
  app.add_option("--account", o.account, "the account the rows belong to");
  app.add_option("--rows", o.rows, "rows to load (default 10,000,000)")->check(CLI::Range(int64_t{1000}, int64_t{50'000'000}));
  app.add_option("--days", o.days, "days the rows are spread over")->check(CLI::Range(1, 60));
  app.add_option("--samples", o.samples, "pages asked for per kind")->check(CLI::Range(1, 10000));
  app.add_option("--limit", o.limit, "rows per page")->check(CLI::Range(1, 1000));
  app.add_option("--target-p99-ms", o.target_p99_ms, "exit 1 when a kind's p99 is above this");
  CLI11_PARSE(app, argc, argv);
  if (o.pg_dsn.find("127.0.0.1") == std::string::npos && o.pg_dsn.find("localhost") == std::string::npos) {
    std::fprintf(stderr, "--pg-dsn: loopback only\n");
    return 2;
  }
  if (o.report_address.rfind("127.0.0.1:", 0) != 0 && o.report_address.rfind("localhost:", 0) != 0) {
    std::fprintf(stderr, "--report-address: loopback only\n");
    return 2;
  }
  const int64_t last_ms = NowMs() - 60'000;
  const int64_t span_ms = int64_t{o.days} * kMsPerDay - 120'000;
  const int64_t first_ms = last_ms - span_ms;
  try {
    Load(o, first_ms, span_ms);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "loading: %s\n", e.what());
    return 1;
  }

  rpc::ReportClient client(o.report_address, std::chrono::seconds(10));
  std::mt19937_64 rng(2);
  std::vector<Kind> kinds = {{"newest page", {}}, {"random depth", {}}, {"status=failed", {}},
                             {"to=<one of 1000>", {}}, {"client_ref=<one>", {}}, {"since+until day", {}}};
  bool failed = false;
  // The first calls open the service's connections and prepare its statements: not timed.
  constexpr int kWarmUp = 5;
  for (int i = 0; i < kWarmUp + o.samples && !failed; ++i) {
    for (size_t k = 0; k < kinds.size(); ++k) {
      v1::ListMessagesRequest req;
      req.set_account_id(o.account);
      req.set_limit(o.limit);
      const int64_t at = first_ms + static_cast<int64_t>(rng() % static_cast<uint64_t>(span_ms));
      switch (k) {
        case 0: break;
        case 1: req.set_cursor(report::EncodeCursor(sms::UuidV7At(at, rng()))); break;
        case 2:
          req.add_statuses(v1::STATUS_FAILED);
          req.set_cursor(report::EncodeCursor(sms::UuidV7At(at, rng())));
          break;
        case 3: req.set_to("+98912" + std::to_string(1000000 + rng() % kDestinations)); break;
        case 4: req.set_client_ref("ref-" + std::to_string(rng() % static_cast<uint64_t>(o.rows))); break;
        case 5:
          req.set_since_ms(at - kMsPerDay / 2);
          req.set_until_ms(at);
          break;
      }
      const auto started = std::chrono::steady_clock::now();
      Result<v1::ListMessagesReply> page = client.ListMessages(req);
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
      if (!page.ok()) {
        std::fprintf(stderr, "ListMessages (%s): %s\n", kinds[k].name.c_str(), page.status().ToString().c_str());
        failed = true;
        break;
      }
      if (k != 4 && page->messages_size() != o.limit) {
        std::fprintf(stderr, "%s: a page of %d rows, not %d\n", kinds[k].name.c_str(), page->messages_size(), o.limit);
        failed = true;
      }
      if (i >= kWarmUp) kinds[k].ms.push_back(ms);
    }
  }
  if (failed) return 1;
  std::printf("%lld rows of one account over %d days; %d pages of %d per kind, through smsgw-report's gRPC ListMessages:\n",
              static_cast<long long>(o.rows), o.days, o.samples, o.limit);
  int status = 0;
  for (Kind& k : kinds) {
    std::sort(k.ms.begin(), k.ms.end());
    const double p99 = Quantile(k.ms, 0.99);
    std::printf("  %-18s p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms%s\n", k.name.c_str(), Quantile(k.ms, 0.5), p99,
                k.ms.back(), p99 > o.target_p99_ms ? "  (above target)" : "");
    if (p99 > o.target_p99_ms) status = 1;
  }
  return status;
}
