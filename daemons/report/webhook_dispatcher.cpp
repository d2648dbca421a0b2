#include "webhook_dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>

#include "common/time.h"
#include "pg/array.h"
#include "webhook/kannel_dlr.h"
#include "webhook/signature.h"
#include "webhook/url_policy.h"
#include "webhook_queries.h"

namespace smsgw::report {
namespace {

constexpr int64_t kMaxRetryMs = 3'600'000;
constexpr int kMaxBackoffMs = 5000;

// One due delivery as claimed.
struct Claimed {
  int64_t id = 0;
  std::string kind, url, body, secret;
  int attempt = 0;
  bool has_secret = false;
};

// The request for a claimed delivery, or why it cannot be made (a permanent failure).
Result<webhook::Request> BuildRequest(const Claimed& c, bool allow_private) {
  webhook::Request r;
  r.id = c.id;
  if (c.kind == "dlr") {
    nlohmann::json f = nlohmann::json::parse(c.body, nullptr, false);
    if (f.is_discarded()) return Status::InvalidArgument("stored dlr fields are not JSON");
    webhook::DlrFields d;
    d.type = f.value("type", 0);
    d.reply = f["reply"].is_string() ? f["reply"].get<std::string>() : f.value("status", "");
    d.from = f["from"].is_string() ? f["from"].get<std::string>() : "";
    d.to = f["to"].is_string() ? f["to"].get<std::string>() : "";
    d.smsc = f["smsc"].is_string() ? f["smsc"].get<std::string>() : "";
    d.message_id = f.value("message_id", "");
    d.at_s = f.value("at_s", int64_t{0});
    r.post = false;
    r.url = webhook::ExpandDlrUrl(c.url, d);
  } else {
    if (!c.has_secret) return Status::NotFound("the account has no webhook secret");
    r.url = c.url;
    r.body = c.body;
    r.headers.push_back(std::string(webhook::kSignatureHeader) + ": " +
                        webhook::Signature(c.secret, NowMs() / 1000, c.body));
  }
  if (Status s = webhook::CheckCallbackUrl(r.url, allow_private); !s.ok()) return s.WithContext("refused");
  return r;
}

}  // namespace

DispatcherOptions DispatcherOptionsFromConfig(const config::ReportConfig& c) {
  DispatcherOptions o;
  o.allow_private = c.webhook_allow_private;
  o.max_connections = c.webhook_max_connections;
  o.max_per_host = c.webhook_max_per_host;
  o.timeout_ms = c.webhook_timeout_ms;
  o.retry_base_ms = c.webhook_retry_base_ms;
  o.give_up_ms = int64_t{c.webhook_give_up_s} * 1000;
  return o;
}

int64_t RetryDelayMs(int attempt, int64_t base_ms, double jitter) {
  int64_t delay = std::max<int64_t>(1, base_ms);
  for (int i = 1; i < attempt && delay < kMaxRetryMs; ++i) delay *= 2;
  delay = std::min(delay, kMaxRetryMs);
  return static_cast<int64_t>(static_cast<double>(delay) * (0.8 + 0.4 * jitter));
}

WebhookDispatcher::WebhookDispatcher(DispatcherOptions options, pg::Pool* pool)
    : options_(options),
      pool_(pool),
      sender_(webhook::HttpSender::Options{options.max_connections, options.max_per_host, options.timeout_ms,
                                           options.allow_private}) {}

void WebhookDispatcher::Stop() {
  stopping_ = true;
  { std::lock_guard lock(mu_); }
  cv_.notify_all();
}

bool WebhookDispatcher::Sleep(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [&] { return stopping_.load(); });
  return !stopping_;
}

Result<int> WebhookDispatcher::Claim(int n) {
  std::vector<Claimed> claimed;
  // The lease outlasts an attempt: only a sender that died leaves a row for another to take.
  const int64_t lease_ms = 2 * int64_t{options_.timeout_ms} + 5000;
  Status s = pool_->Transact([&](pqxx::work& tx) {
    claimed.clear();
    for (const auto& row : Exec(tx, sql::kClaimDeliveries, n, lease_ms)) {
      Claimed c;
      c.id = row[0].as<int64_t>();
      c.kind = row[1].as<std::string>();
      c.url = row[2].as<std::string>();
      c.body = row[3].as<std::string>();
      c.attempt = row[4].as<int>();
      c.has_secret = !row[5].is_null();
      if (c.has_secret) c.secret = row[5].as<std::string>();
      claimed.push_back(std::move(c));
    }
  });
  if (!s.ok()) return s;
  std::vector<webhook::Outcome> refused;
  for (const Claimed& c : claimed) {
    Result<webhook::Request> request = BuildRequest(c, options_.allow_private);
    if (!request.ok()) {
      refused.push_back({c.id, 0, request.status().message(), true});
      metrics_.Attempted(refused.back());
      continue;
    }
    attempts_[c.id] = c.attempt;
    sender_.Add(std::move(request).value());
  }
  stats_.attempts += static_cast<int64_t>(claimed.size());
  if (!refused.empty()) {
    if (Status r = Record(refused); !r.ok()) return r;
  }
  return static_cast<int>(claimed.size());
}

Status WebhookDispatcher::Record(const std::vector<webhook::Outcome>& outcomes) {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  std::vector<int64_t> ids, codes, delays;
  std::vector<std::string> errors, finals;
  for (const webhook::Outcome& o : outcomes) {
    auto it = attempts_.find(o.id);
    const int attempt = it == attempts_.end() ? 1 : it->second;
    ids.push_back(o.id);
    codes.push_back(o.http_code);
    errors.push_back(o.error);
    delays.push_back(o.error.empty() ? 0 : RetryDelayMs(attempt, options_.retry_base_ms, jitter(rng)));
    finals.push_back(o.refused ? "t" : "f");
    if (o.error.empty()) {
      ++stats_.delivered;
    } else {
      ++stats_.failed_attempts;
      if (o.refused) ++stats_.given_up;
      spdlog::info("report: callback {} attempt {} failed: {}", o.id, attempt, o.error);
    }
  }
  std::string final_array = "{";
  for (const std::string& f : finals) final_array += (final_array.size() > 1 ? "," : "") + f;
  final_array += "}";
  Status s = pool_->Transact([&](pqxx::work& tx) {
    Exec(tx, sql::kRecordOutcomes, pg::IntArray(ids), pg::IntArray(codes), pg::TextArray(errors),
         pg::IntArray(delays), final_array, options_.give_up_ms);
  });
  if (s.ok()) {
    for (int64_t id : ids) attempts_.erase(id);
  }
  return s;
}

void WebhookDispatcher::Run() {
  spdlog::info("report: sending status callbacks (at most {} connections, {} per host; private targets {})",
               options_.max_connections, options_.max_per_host, options_.allow_private ? "allowed" : "refused");
  auto next_claim = std::chrono::steady_clock::now();
  int failures = 0;
  std::vector<webhook::Outcome> unrecorded;
  while (!stopping_) {
    const int room = options_.max_connections * 2 - static_cast<int>(sender_.in_flight());
    if (room > 0 && std::chrono::steady_clock::now() >= next_claim) {
      Result<int> got = Claim(room);
      if (!got.ok()) {
        spdlog::warn("report: claiming status callbacks: {}", got.status().message());
        ++failures;
      } else {
        failures = 0;
      }
      // Idle or failing: look again after a while; busy: at once.
      const int wait = !got.ok() ? std::min(kMaxBackoffMs, options_.poll_ms << std::min(failures, 5))
                                 : (*got == 0 ? options_.poll_ms : 0);
      next_claim = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait);
    }
    if (sender_.in_flight() == 0 && unrecorded.empty()) {
      if (!Sleep(std::chrono::milliseconds(std::max(1, options_.poll_ms)))) break;
      continue;
    }
    std::vector<webhook::Outcome> done = sender_.Poll(50);
    for (const webhook::Outcome& o : done) metrics_.Attempted(o);  // here, not in Record: that may run twice
    unrecorded.insert(unrecorded.end(), done.begin(), done.end());
    if (unrecorded.empty()) continue;
    // An outcome that cannot be recorded is kept and recorded later; if this process dies
    // first, the lease runs out and the callback is sent once more (at least once).
    if (Status s = Record(unrecorded); s.ok()) {
      unrecorded.clear();
    } else {
      spdlog::warn("report: recording {} callback outcomes: {}", unrecorded.size(), s.message());
      if (!Sleep(std::chrono::milliseconds(500))) break;
    }
  }
  spdlog::info("report: callback sender stopped: {} attempts, {} delivered, {} failed attempts, {} given up",
               stats_.attempts.load(), stats_.delivered.load(), stats_.failed_attempts.load(),
               stats_.given_up.load());
}

}  // namespace smsgw::report
