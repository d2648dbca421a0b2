#include "delivery.h"

#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>
#include <mutex>
#include <thread>

#include "stats.h"

namespace smsgw::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kPollPause{250};
constexpr std::chrono::milliseconds kMaxRequestTime{5000};
constexpr size_t kMaxErrorsKept = 5;

bool IsFinal(const std::string& status) {
  return status == "delivered" || status == "undelivered" || status == "failed" || status == "expired";
}

// One thread's share of the sample, polled in rounds until final or out of time.
class Poller {
 public:
  Poller(const Url& url, std::vector<Accepted> messages, Clock::time_point deadline)
      : conn_(url), pending_(std::move(messages)), deadline_(deadline) {}

  void Run() {
    while (!pending_.empty() && Clock::now() < deadline_) {
      std::vector<Accepted> still;
      for (const Accepted& m : pending_) {
        if (Clock::now() >= deadline_ || !PollOne(m)) still.push_back(m);
      }
      pending_ = std::move(still);
      if (pending_.empty()) break;
      std::this_thread::sleep_until(std::min(Clock::now() + kPollPause, deadline_));
    }
    for (const Accepted& m : pending_) {
      auto it = last_status_.find(m.id);
      ++report_.unfinished[it == last_status_.end() ? "no answer" : it->second];
    }
  }

  const DeliveryReport& report() const { return report_; }

 private:
  // Returns true when `m` is final (or cannot be read at all).
  bool PollOne(const Accepted& m) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
    const HttpResult res = conn_.Request(boost::beast::http::verb::get, "/v1/messages/" + m.id, *m.key, "",
                                         std::clamp(left, std::chrono::milliseconds(1), kMaxRequestTime));
    if (res.status == 404) {  // the report daemon has not written it yet
      last_status_[m.id] = "not recorded yet (404)";
      return false;
    }
    if (res.status != 200) {
      Note("GET " + m.id + ": " + (res.status ? std::to_string(res.status) + " " + res.body : res.error));
      return false;
    }
    const nlohmann::json j = nlohmann::json::parse(res.body, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("status") || !j["status"].is_string()) {
      Note("GET " + m.id + ": unexpected body " + res.body);
      return false;
    }
    const std::string status = j["status"].get<std::string>();
    last_status_[m.id] = status;
    if (!IsFinal(status)) return false;
    if (status != "delivered") {
      ++report_.other_final[status];
      return true;
    }
    const auto accepted = j.value("accepted_at", nlohmann::json()).is_string()
                              ? ParseRfc3339Ms(j["accepted_at"].get<std::string>())
                              : std::nullopt;
    const auto done =
        j.value("done_at", nlohmann::json()).is_string() ? ParseRfc3339Ms(j["done_at"].get<std::string>()) : std::nullopt;
    if (!accepted || !done) {
      Note("GET " + m.id + ": delivered without accepted_at/done_at: " + res.body);
      ++report_.other_final["delivered, no times"];
      return true;
    }
    report_.end_to_end_ms.push_back(static_cast<double>(*done - *accepted));
    return true;
  }

  void Note(std::string error) {
    if (report_.first_errors.size() < kMaxErrorsKept) report_.first_errors.push_back(std::move(error));
  }

  HttpConnection conn_;
  std::vector<Accepted> pending_;
  Clock::time_point deadline_;
  std::map<std::string, std::string> last_status_;  // id -> status of the last 200 answer
  DeliveryReport report_;
};

}  // namespace

DeliveryReport WaitDelivered(const Url& url, const std::vector<Accepted>& sample, int connections,
                             Clock::time_point deadline) {
  const auto start = Clock::now();
  const size_t threads = std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(connections), sample.size()));
  std::vector<std::vector<Accepted>> shares(threads);
  for (size_t i = 0; i < sample.size(); ++i) shares[i % threads].push_back(sample[i]);

  std::vector<std::unique_ptr<Poller>> pollers;  // a connection cannot move
  for (auto& share : shares) pollers.push_back(std::make_unique<Poller>(url, std::move(share), deadline));
  std::vector<std::thread> running;
  for (auto& p : pollers) running.emplace_back([&p] { p->Run(); });
  for (std::thread& t : running) t.join();

  DeliveryReport total;
  for (const auto& p : pollers) {
    const DeliveryReport& r = p->report();
    total.end_to_end_ms.insert(total.end_to_end_ms.end(), r.end_to_end_ms.begin(), r.end_to_end_ms.end());
    for (const auto& [k, v] : r.other_final) total.other_final[k] += v;
    for (const auto& [k, v] : r.unfinished) total.unfinished[k] += v;
    for (const auto& e : r.first_errors) {
      if (total.first_errors.size() < kMaxErrorsKept) total.first_errors.push_back(e);
    }
  }
  total.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return total;
}

}  // namespace smsgw::bench
