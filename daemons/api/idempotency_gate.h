#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/hold_state.h"
#include "api/http_types.h"
#include "api/idempotency_record.h"
#include "api/problem.h"
#include "common/status.h"
#include "redis/redis.h"

// Idempotency-Key on POST requests (Stripe's semantics; docs/decisions.md "Idempotency keys"):
// the first request with a key claims it and runs; every later one with the same key and body
// gets the first one's answer again (with Idempotent-Replayed: true) and runs nothing, also when
// it arrives while the first still runs (it waits for it); another body with the key is 409.
// Keys are per account (the record sits under the account's hash tag) and kept 24 h.
//
// Answers that change nothing and invite a retry (429, and a 5xx before any message reached
// the ledger) release the key. A 5xx after messages reached the ledger (HttpResponse::unsettled)
// may hide messages that were queued after all (review m5): the key then stays taken until the
// messages' holds tell: every hold charged -> the messages are on their way and the success
// answer is replayed; none held or charged -> nothing was or will be sent and the request runs
// again; some still held -> 409 idempotency_key_in_use with Retry-After, for now.
namespace smsgw::api {

struct IdempotencyDeps {
  // One Redis command, answered later on another thread (RedisBatcher::Run).
  std::function<void(redis::Command, std::function<void(Result<redis::Reply>)>)> redis;
  // Runs a task that may block (reading holds) off the I/O threads.
  std::function<void(std::function<void()>)> offload;
  // Runs a task after a delay, on some thread.
  std::function<void(std::chrono::milliseconds, std::function<void()>)> after;
  // The holds of messages of one account (blocking; see ReadHolds).
  std::function<Result<std::vector<std::optional<Hold>>>(int64_t, const std::vector<std::string>&)> holds;
  std::function<int64_t()> now_ms;  // wall clock, Unix ms
  std::function<std::string()> new_token;
  // How long a request waits for a running one with its key before it is told 409 (Retry-After).
  std::chrono::milliseconds wait{3000};
  // A claim older than this whose request never recorded its answer (its server died) is
  // settled from the holds of the message ids it would have used (SeededMessageId).
  std::chrono::milliseconds stale{60000};
};

class IdempotencyGate {
 public:
  explicit IdempotencyGate(IdempotencyDeps deps) : deps_(std::move(deps)) {}

  // Runs the request: `run(new_id, respond)` with message ids drawn from `new_id`, or not at all.
  using Run = std::function<void(std::function<std::string()> new_id, Respond respond)>;
  // Builds the error answers in the route's style (problem+json, or Kannel's text).
  using Render = std::function<HttpResponse(const ProblemKind& kind, std::string detail)>;

  // Answers `request` of `account_id` carrying Idempotency-Key `key` through `respond`, exactly
  // once, from any thread. Never blocks the caller. The gate must outlive the call's answer.
  void Handle(int64_t account_id, const std::string& key, const HttpRequest& request, Render render, Run run,
              Respond respond);

 private:
  struct Attempt;

  void Claim(const std::shared_ptr<Attempt>& a);
  void Start(const std::shared_ptr<Attempt>& a, IdempotencyRecord claim);
  void Record(const std::shared_ptr<Attempt>& a, HttpResponse answer);
  void Judge(const std::shared_ptr<Attempt>& a, const std::string& stored);
  void WaitAndLook(const std::shared_ptr<Attempt>& a);
  void Resolve(const std::shared_ptr<Attempt>& a, IdempotencyRecord record, std::string stored,
              std::vector<std::string> ids);
  void TakeOver(const std::shared_ptr<Attempt>& a, const std::string& stored);

  IdempotencyDeps deps_;
};

// The answer stored in a record, sent again (with Idempotent-Replayed: true).
HttpResponse ReplayOf(const IdempotencyRecord& record);

}  // namespace smsgw::api
