// smsctl send: one message, or a file of them through POST /v1/messages/batch.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include "api_client.h"
#include "context.h"
#include "send_input.h"

namespace smsgw::smsctl {
namespace {

constexpr size_t kChunk = 1000;  // the API's batch limit
constexpr int kAttempts = 5;     // per chunk, for 429 and 503 (nothing was charged)

struct SendOptions {
  std::string api_key;
  std::string api_address;
  std::string to, text, from, priority;
  std::string file;
  std::string format;
  std::string failed_out;
};

struct Totals {
  int64_t accepted = 0, failed = 0, cost = 0;
};

std::string RandomKey() {
  static std::mt19937_64 rng{std::random_device{}()};
  char buf[33];
  std::snprintf(buf, sizeof(buf), "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

// One chunk through the batch endpoint. Fills `errors` with one entry per item ("" when
// accepted). A 429 or 503 is tried again after its Retry-After (nothing of it was charged);
// the same Idempotency-Key goes with every attempt. 401 and 403 end the whole run.
Status SendChunk(const ApiClient& api, const std::vector<SendItem>& items, std::vector<std::string>& errors,
                 Totals& totals) {
  nlohmann::json body = {{"messages", nlohmann::json::array()}};
  for (const SendItem& item : items) body["messages"].push_back(item.message);
  const std::string key = RandomKey();
  errors.assign(items.size(), "");
  for (int attempt = 1;; ++attempt) {
    Result<http::Response> r = api.Post("/v1/messages/batch", body, key);
    if (!r.ok()) {
      // The batch may or may not have been taken: say so rather than guess.
      errors.assign(items.size(), "not sent or not confirmed: " + r.status().message());
      totals.failed += static_cast<int64_t>(items.size());
      return Status::Ok();
    }
    if ((r->status == 429 || r->status == 503) && attempt < kAttempts) {
      const int wait_s = std::clamp(std::atoi(r->Header("retry-after").c_str()), 1, 10);
      std::this_thread::sleep_for(std::chrono::seconds(wait_s));
      continue;
    }
    if (r->status == 401 || r->status == 403) return ProblemStatus(*r);
    if (r->status != 200) {
      errors.assign(items.size(), ProblemStatus(*r).message());
      totals.failed += static_cast<int64_t>(items.size());
      return Status::Ok();
    }
    nlohmann::json reply = nlohmann::json::parse(r->body, nullptr, false);
    if (!reply.is_object() || !reply.contains("results") || reply["results"].size() != items.size()) {
      errors.assign(items.size(), "unexpected answer from the API");
      totals.failed += static_cast<int64_t>(items.size());
      return Status::Ok();
    }
    for (size_t i = 0; i < items.size(); ++i) {
      const nlohmann::json& result = reply["results"][i];
      if (result.value("status", "") == "refused") {
        const nlohmann::json problem = result.value("problem", nlohmann::json::object());
        errors[i] = problem.value("code", std::string("refused")) + ": " + problem.value("detail", std::string());
        ++totals.failed;
      } else {
        ++totals.accepted;
        totals.cost += result.value("cost", int64_t{0});
      }
    }
    return Status::Ok();
  }
}

void Progress(const Totals& t, std::streamoff done, std::streamoff total) {
  const int64_t n = t.accepted + t.failed;
  if (total > 0) {
    const int pct = static_cast<int>(100 * std::min<std::streamoff>(done, total) / total);
    const int bar = pct * 30 / 100;
    std::cerr << "\r[" << std::string(bar, '#') << std::string(30 - bar, ' ') << "] " << pct << "%  ";
  } else {
    std::cerr << "\r";
  }
  std::cerr << n << " sent, " << t.failed << " failed" << std::flush;
}

Status SendFile(const Context& ctx, const ApiClient& api, const SendOptions& o) {
  std::ifstream file;
  std::istream* in = &std::cin;
  std::streamoff total_bytes = 0;
  if (o.file != "-") {
    file.open(o.file, std::ios::binary);
    if (!file) return Status::NotFound(o.file + ": cannot open");
    file.seekg(0, std::ios::end);
    total_bytes = file.tellg();
    file.seekg(0);
    in = &file;
  }
  InputFormat format;
  if (o.format == "csv") {
    format = InputFormat::kCsv;
  } else if (o.format == "jsonl") {
    format = InputFormat::kJsonl;
  } else {
    const int c = in->peek();
    format = GuessFormat(o.file, c == EOF ? "" : std::string(1, static_cast<char>(c)));
  }
  std::ofstream failed_file;
  std::unique_ptr<FailedOutput> failed_out;
  if (!o.failed_out.empty()) {
    failed_file.open(o.failed_out, std::ios::binary | std::ios::trunc);
    if (!failed_file) return Status::InvalidArgument(o.failed_out + ": cannot write");
    failed_out = std::make_unique<FailedOutput>(failed_file, format);
  }
  const bool bar = isatty(STDERR_FILENO) && ctx.output == Output::kTable;
  const auto start = std::chrono::steady_clock::now();
  SendInput input(*in, format);
  Totals totals;
  int shown_errors = 0;
  for (bool more = true; more;) {
    std::vector<SendItem> items;
    if (Status s = input.Next(kChunk, items, &more); !s.ok()) {
      if (bar) std::cerr << "\n";
      return s.WithContext(o.file == "-" ? "standard input" : o.file);
    }
    if (items.empty()) continue;
    std::vector<std::string> errors;
    if (Status s = SendChunk(api, items, errors, totals); !s.ok()) {
      if (bar) std::cerr << "\n";
      return s;
    }
    for (size_t i = 0; i < items.size(); ++i) {
      if (errors[i].empty()) continue;
      if (failed_out) failed_out->Write(items[i], errors[i]);
      if (!failed_out && shown_errors++ < 10) {
        std::cerr << (bar ? "\n" : "") << "smsctl: record " << items[i].record << ": " << errors[i] << "\n";
      }
    }
    if (bar) {
      const std::streamoff at = o.file == "-" ? 0 : static_cast<std::streamoff>(file.tellg());
      Progress(totals, at < 0 ? total_bytes : at, total_bytes);
    }
  }
  if (bar) std::cerr << "\n";
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int64_t n = totals.accepted + totals.failed;
  char rate[64];
  std::snprintf(rate, sizeof(rate), "%.1f s, %.0f msg/s", seconds, seconds > 0 ? n / seconds : 0.0);
  ctx.Print({{"total", n},
             {"accepted", totals.accepted},
             {"failed", totals.failed},
             {"cost", totals.cost},
             {"seconds", seconds}},
            "sent " + std::to_string(totals.accepted) + " of " + std::to_string(n) + " messages, " +
                std::to_string(totals.failed) + " failed, cost " + std::to_string(totals.cost) + " (" + rate + ")");
  if (totals.failed > 0) {
    return Status::Internal(std::to_string(totals.failed) + " of " + std::to_string(n) + " messages failed" +
                            (failed_out ? " (written to " + o.failed_out + ")" : ""));
  }
  return Status::Ok();
}

Status SendOne(const Context& ctx, const ApiClient& api, const SendOptions& o) {
  nlohmann::json message = {{"to", o.to}, {"text", o.text}};
  if (!o.from.empty()) message["from"] = o.from;
  if (!o.priority.empty()) message["priority"] = o.priority;
  Result<http::Response> r = api.Post("/v1/messages", message, RandomKey());
  if (!r.ok()) return r.status();
  if (r->status != 202) return ProblemStatus(*r);
  nlohmann::json reply = nlohmann::json::parse(r->body, nullptr, false);
  if (!reply.is_object()) return Status::Internal("unexpected answer from the API");
  ctx.Print(reply, "accepted " + reply.value("id", std::string()) + ": " + std::to_string(reply.value("segments", 0)) +
                       " segment(s), " + reply.value("encoding", std::string()) + ", cost " +
                       std::to_string(reply.value("cost", int64_t{0})));
  return Status::Ok();
}

}  // namespace

void AddSendCommand(CLI::App& app, Context& ctx, Action& run) {
  auto o = std::make_shared<SendOptions>();
  CLI::App* send =
      app.add_subcommand("send", "send one message, or a file of them (CSV or JSONL), through the REST API");
  send->add_option("--api-key", o->api_key, "the account's API key (default: $SMSGW_API_KEY)");
  send->add_option("--api-address", o->api_address, "host:port of smsgw-api (default: [api] listen)");
  send->add_option("--to", o->to, "destination number (E.164)");
  send->add_option("--text", o->text, "message text (UTF-8)");
  send->add_option("--from", o->from, "sender id");
  send->add_option("--priority", o->priority, "normal or express")->check(CLI::IsMember({"normal", "express"}));
  send->add_option("--file", o->file, "CSV (to,text[,priority[,from]] with a header) or JSONL; - reads stdin");
  send->add_option("--format", o->format, "csv or jsonl (default: from the file name or its first character)")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  send->add_option("--failed-out", o->failed_out, "write the items that failed here, in the input's format plus error");
  send->callback([&ctx, &run, o] {
    run = [&ctx, o]() -> Status {
      const bool one = !o->to.empty() || !o->text.empty();
      if (one == !o->file.empty()) return Status::InvalidArgument("send needs --to and --text, or --file");
      if (one && (o->to.empty() || o->text.empty())) return Status::InvalidArgument("send needs both --to and --text");
      if (o->api_key.empty()) {
        if (const char* env = std::getenv("SMSGW_API_KEY")) o->api_key = env;
      }
      Result<config::Config> config = ctx.LoadConfig();
      if (!config.ok()) return config.status();
      Result<ApiClient> api = ApiClient::FromConfig(*config, o->api_address, o->api_key);
      if (!api.ok()) return api.status();
      return one ? SendOne(ctx, *api, *o) : SendFile(ctx, *api, *o);
    };
  });
}

}  // namespace smsgw::smsctl
