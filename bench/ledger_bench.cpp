// smsgw-bench-ledger: Debit calls to a running smsgw-ledger from N clients for a fixed time, one
// message per call (Debit) or B per call (DebitBatch); prints debits per second and the call
// latency (p50, p99). Each client has a connection of its own and waits for each answer before
// the next call (a closed loop), so the latency is what a caller sees under that load.
// bench/ledger starts the servers and the ledger and runs it; see bench/README.md.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "proto/smsgw.grpc.pb.h"
#include "stats.h"

namespace smsgw::bench {
namespace {

struct Options {
  std::string address;
  int64_t first_account = 1;
  int64_t last_account = 1;
  int clients = 8;
  int batch = 0;  // 0: Debit, one message a call
  double seconds = 10;
  double rate = 0;  // debits a second, all clients together; 0: as fast as the answers come
  std::string label = "run";
  std::string samples;  // file for "<ms since start> <latency ms>" per call
};

struct ClientResult {
  int64_t debited = 0;
  int64_t refused = 0;
  int64_t errors = 0;
  std::vector<double> latencies_ms;
  std::vector<double> at_ms;  // when each call was sent (or due), from the start of the run
};

// A channel with a TCP connection of its own (gRPC would otherwise share one between channels
// to the same address).
std::shared_ptr<grpc::Channel> OwnChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

void RunClient(const Options& o, int index, std::chrono::steady_clock::time_point begin,
               std::chrono::steady_clock::time_point end, ClientResult& out) {
  std::unique_ptr<v1::Ledger::Stub> stub = v1::Ledger::NewStub(OwnChannel(o.address));
  const int64_t accounts = o.last_account - o.first_account + 1;
  const std::string prefix = o.label + "-" + std::to_string(getpid()) + "-" + std::to_string(index) + "-";
  int64_t n = 0;
  auto item = [&](v1::DebitRequest* d) {
    d->set_account_id(o.first_account + (index + n) % accounts);
    d->set_message_id(prefix + std::to_string(n++));
    d->set_cost(1);
    d->set_ttl_s(3600);
  };
  // With a rate, each client sends a call every `interval`, from a start spread over one
  // interval; the latency counts from when the call was due, so a slow answer that delays the
  // next call is not hidden (no coordinated omission).
  const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(o.rate > 0 ? o.clients * std::max(1, o.batch) / o.rate : 0));
  auto due = std::chrono::steady_clock::now() + interval * index / o.clients;
  while (std::chrono::steady_clock::now() < end) {
    if (o.rate > 0) {
      std::this_thread::sleep_until(due);
      if (due >= end) break;
    }
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    const auto start = o.rate > 0 ? due : std::chrono::steady_clock::now();
    due += interval;
    grpc::Status status;
    std::vector<v1::LedgerResult> results;
    if (o.batch == 0) {
      v1::DebitRequest req;
      item(&req);
      v1::DebitReply reply;
      status = stub->Debit(&ctx, req, &reply);
      results.push_back(reply.result());
    } else {
      v1::DebitBatchRequest req;
      for (int i = 0; i < o.batch; ++i) item(req.add_items());
      v1::DebitBatchReply reply;
      status = stub->DebitBatch(&ctx, req, &reply);
      for (const v1::DebitReply& r : reply.items()) results.push_back(r.result());
    }
    out.latencies_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    out.at_ms.push_back(std::chrono::duration<double, std::milli>(start - begin).count());
    if (!status.ok()) {
      ++out.errors;
      continue;
    }
    for (v1::LedgerResult r : results) (r == v1::LEDGER_OK ? out.debited : out.refused) += 1;
  }
}

int Main(int argc, char** argv) {
  Options o;
  CLI::App app{"smsgw-bench-ledger: Debit throughput and latency of a running smsgw-ledger"};
  app.add_option("--address", o.address, "the ledger's gRPC address")->required();
  app.add_option("--first-account", o.first_account, "accounts debited, round robin: from")->required();
  app.add_option("--last-account", o.last_account, "to")->required();
  app.add_option("--clients", o.clients, "concurrent clients, each waiting for its answer")->check(CLI::Range(1, 256));
  app.add_option("--batch", o.batch, "messages per DebitBatch call; 0: Debit calls")->check(CLI::Range(0, 5000));
  app.add_option("--seconds", o.seconds, "how long to run")->check(CLI::Range(0.5, 600.0));
  app.add_option("--rate", o.rate, "debits a second offered by all clients together (default: as fast as answered)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--label", o.label, "prefix of the message ids");
  app.add_option("--samples", o.samples, "write each call's start and latency (ms) to this file");
  CLI11_PARSE(app, argc, argv);
  if (o.last_account < o.first_account) {
    std::fprintf(stderr, "smsgw-bench-ledger: --last-account is below --first-account\n");
    return 2;
  }

  std::vector<ClientResult> results(o.clients);
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  const auto end =
      start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(o.seconds));
  for (int i = 0; i < o.clients; ++i) {
    threads.emplace_back(RunClient, std::cref(o), i, start, end, std::ref(results[i]));
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (!o.samples.empty()) {
    FILE* f = std::fopen(o.samples.c_str(), "w");
    for (const ClientResult& r : results) {
      for (size_t i = 0; f != nullptr && i < r.at_ms.size(); ++i)
        std::fprintf(f, "%.3f %.3f\n", r.at_ms[i], r.latencies_ms[i]);
    }
    if (f != nullptr) std::fclose(f);
  }
  ClientResult all;
  for (ClientResult& r : results) {
    all.debited += r.debited;
    all.refused += r.refused;
    all.errors += r.errors;
    all.latencies_ms.insert(all.latencies_ms.end(), r.latencies_ms.begin(), r.latencies_ms.end());
  }
  std::sort(all.latencies_ms.begin(), all.latencies_ms.end());
  const double p50 = all.latencies_ms.empty() ? 0 : Quantile(all.latencies_ms, 0.50);
  const double p99 = all.latencies_ms.empty() ? 0 : Quantile(all.latencies_ms, 0.99);
  const std::string mode = o.batch == 0 ? "Debit" : "DebitBatch x" + std::to_string(o.batch);
  const std::string offered = o.rate > 0 ? std::to_string(static_cast<long long>(o.rate)) + "/s" : "max";
  std::printf(
      "%-17s %3d clients  offered %-8s %5.1f s  %8.0f debits/s  %7.0f calls/s  p50 %6.2f ms  p99 %6.2f ms  "
      "refused %lld  errors %lld\n",
      mode.c_str(), o.clients, offered.c_str(), elapsed, all.debited / elapsed, all.latencies_ms.size() / elapsed, p50,
      p99, static_cast<long long>(all.refused), static_cast<long long>(all.errors));
  return all.errors > 0 || all.refused > 0 ? 1 : 0;
}

}  // namespace
}  // namespace smsgw::bench

int main(int argc, char** argv) { return smsgw::bench::Main(argc, argv); }
