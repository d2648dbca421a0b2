// smsgw-bench-send: sends messages through POST /v1/messages over keep-alive connections, one
// thread each, and prints throughput, request latency and (with --wait-delivered) the
// accepted -> delivered time of a sample. No request starts after --max-seconds; one already
// under way gets its full timeout, since cutting it off would leave its outcome unknown.
#include <CLI/CLI.hpp>
#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "delivery.h"
#include "http_client.h"
#include "stats.h"

namespace smsgw::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kMaxRequestTime{10000};
constexpr size_t kMaxFailuresKept = 5;
constexpr size_t kMaxSampled = 200;

struct Options {
  std::string url = "http://127.0.0.1:18080";
  std::string keys_file;
  int messages = 5000;
  int connections = 8;
  int max_seconds = 60;
  std::string priority = "normal";
  bool wait_delivered = false;
};

// What the sending threads share: the work counter and the first few failures.
struct SendShared {
  SendShared(const Options& o, const std::vector<std::string>& k, Url u, Clock::time_point d)
      : opts(o), keys(k), url(std::move(u)), deadline(d) {}

  const Options& opts;
  const std::vector<std::string>& keys;
  Url url;
  Clock::time_point deadline;
  std::atomic<int> next{0};
  std::mutex mu;
  std::vector<std::string> first_failures;  // GUARDED_BY(mu)

  void NoteFailure(std::string what) {
    std::lock_guard<std::mutex> lock(mu);
    if (first_failures.size() < kMaxFailuresKept) first_failures.push_back(std::move(what));
  }
};

// What one sending thread saw.
struct SendTally {
  std::vector<double> latency_ms;       // of every POST that got an answer
  std::map<std::string, int> answers;   // "202", "503", "unanswered", "not connected"
  std::vector<Accepted> accepted;
  int connects = 0;
};

std::string Body(const Options& opts, int i) {
  // Distinct recipients (valid Iranian mobile numbers) and one GSM-7 segment each, so every
  // message costs exactly the account's per-segment price.
  return nlohmann::json{{"to", "+98912" + std::to_string(1000000 + i % 9000000)},
                        {"text", "smsgw bench " + std::to_string(i)},
                        {"priority", opts.priority}}
      .dump();
}

void SendWorker(SendShared& shared, SendTally* tally) {
  HttpConnection conn(shared.url);
  for (;;) {
    const auto now = Clock::now();
    if (now >= shared.deadline) break;
    const int i = shared.next.fetch_add(1);
    if (i >= shared.opts.messages) break;
    const std::string& key = shared.keys[static_cast<size_t>(i) % shared.keys.size()];

    const auto t0 = Clock::now();
    HttpResult res =
        conn.Request(boost::beast::http::verb::post, "/v1/messages", key, Body(shared.opts, i), kMaxRequestTime);
    const auto t1 = Clock::now();
    if (res.status == 0) {
      // "unanswered" ones may have been accepted (and charged) all the same.
      ++tally->answers[res.maybe_sent ? "unanswered" : "not connected"];
      shared.NoteFailure("no answer: " + res.error);
      continue;
    }
    tally->latency_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    ++tally->answers[std::to_string(res.status)];
    if (res.status != 202) {
      shared.NoteFailure(std::to_string(res.status) + " " + res.body);
      continue;
    }
    const nlohmann::json j = nlohmann::json::parse(res.body, nullptr, /*allow_exceptions=*/false);
    if (j.is_object() && j.contains("id") && j["id"].is_string()) {
      tally->accepted.push_back({j["id"].get<std::string>(), &key});
    } else {
      shared.NoteFailure("202 without an id: " + res.body);
    }
  }
  tally->connects = conn.connects();
}

bool ReadKeys(const std::string& path, std::vector<std::string>* keys) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    keys->push_back(line.substr(first, line.find_last_not_of(" \t\r") + 1 - first));
  }
  return true;
}

// Up to kMaxSampled messages spread evenly over all accepted ones.
std::vector<Accepted> Sample(const std::vector<Accepted>& all) {
  const size_t n = std::min(all.size(), kMaxSampled);
  std::vector<Accepted> out;
  for (size_t k = 0; k < n; ++k) out.push_back(all[k * all.size() / n]);
  return out;
}

void PrintDelivery(const DeliveryReport& r, size_t sampled) {
  std::vector<double> ms = r.end_to_end_ms;
  std::sort(ms.begin(), ms.end());
  std::printf("end to end (accepted -> delivered, %zu sampled): ", sampled);
  if (ms.empty()) {
    std::printf("none delivered\n");
  } else {
    std::printf("p50 %.0f ms p90 %.0f ms p99 %.0f ms max %.0f ms (%zu delivered, polled %.1f s)\n",
                Quantile(ms, 0.5), Quantile(ms, 0.9), Quantile(ms, 0.99), ms.back(), ms.size(), r.seconds);
  }
  for (const auto& [status, n] : r.other_final) std::printf("  final but not delivered: %s %d\n", status.c_str(), n);
  for (const auto& [status, n] : r.unfinished) {
    std::printf("  unfinished at the deadline: %s %d\n", status.c_str(), n);
  }
  for (const auto& e : r.first_errors) std::printf("  poll error: %s\n", e.c_str());
}

int Run(const Options& opts) {
  Url url;
  std::string error;
  if (!ParseLoopbackUrl(opts.url, &url, &error)) {
    std::fprintf(stderr, "smsgw-bench-send: %s\n", error.c_str());
    return 2;
  }
  std::vector<std::string> keys;
  if (!ReadKeys(opts.keys_file, &keys) || keys.empty()) {
    std::fprintf(stderr, "smsgw-bench-send: no API keys read from %s\n", opts.keys_file.c_str());
    return 2;
  }
  std::printf("smsgw-bench-send: %d %s messages over %d connections, %zu keys, %s\n", opts.messages,
              opts.priority.c_str(), opts.connections, keys.size(), opts.url.c_str());

  const auto start = Clock::now();
  const std::chrono::seconds bound(opts.max_seconds);
  SendShared shared(opts, keys, url, start + bound);
  std::vector<SendTally> tallies(static_cast<size_t>(opts.connections));
  std::vector<std::thread> threads;
  for (SendTally& t : tallies) threads.emplace_back(SendWorker, std::ref(shared), &t);
  for (std::thread& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  SendTally all;
  for (SendTally& t : tallies) {
    all.latency_ms.insert(all.latency_ms.end(), t.latency_ms.begin(), t.latency_ms.end());
    for (const auto& [k, v] : t.answers) all.answers[k] += v;
    all.accepted.insert(all.accepted.end(), t.accepted.begin(), t.accepted.end());
    all.connects += t.connects;
  }
  int attempted = 0;
  for (const auto& [k, v] : all.answers) attempted += v;
  const int ok = all.answers.count("202") ? all.answers.at("202") : 0;

  std::printf("sent %d in %.2f s: %.0f accepted/s (202: %d, other: %d)\n", attempted, seconds, ok / seconds, ok,
              attempted - ok);
  for (const auto& [status, n] : all.answers) {
    if (status != "202") std::printf("  %s: %d\n", status.c_str(), n);
  }
  for (const auto& f : shared.first_failures) std::printf("  first failure: %s\n", f.c_str());
  if (attempted < opts.messages) {
    std::printf("stopped by --max-seconds %d: %d of %d messages not sent\n", opts.max_seconds,
                opts.messages - attempted, opts.messages);
  }
  std::printf("request latency ms: %s\n", Summary(all.latency_ms).c_str());
  std::printf("connections opened: %d for %d workers%s\n", all.connects, opts.connections,
              all.connects > opts.connections ? " (keep-alive broke; see failures)" : " (keep-alive held)");

  if (opts.wait_delivered && !all.accepted.empty()) {
    const std::vector<Accepted> sample = Sample(all.accepted);
    PrintDelivery(WaitDelivered(url, sample, opts.connections, Clock::now() + bound), sample.size());
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace
}  // namespace smsgw::bench

int main(int argc, char** argv) {
  smsgw::bench::Options opts;
  CLI::App app{"smsgw-bench-send: load POST /v1/messages of a local smsgw over keep-alive connections"};
  app.add_option("--url", opts.url, "the gateway's REST API, http://host:port (loopback only)")
      ->capture_default_str();
  app.add_option("--keys", opts.keys_file, "file with one API key per line; messages go round-robin over them")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--messages", opts.messages, "messages to send in total")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--connections", opts.connections, "keep-alive connections, one thread each")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--max-seconds", opts.max_seconds,
                 "bound on each phase: no send starts after it (one under way may take 10 s more); "
                 "--wait-delivered then polls for at most as long again")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  app.add_option("--priority", opts.priority, "normal or express")
      ->capture_default_str()
      ->check(CLI::IsMember({"normal", "express"}));
  app.add_flag("--wait-delivered", opts.wait_delivered,
               "then poll up to 200 of the accepted messages until delivered: accepted -> delivered times");
  CLI11_PARSE(app, argc, argv);
  return smsgw::bench::Run(opts);
}
