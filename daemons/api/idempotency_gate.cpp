#include "api/idempotency_gate.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>

#include "api/batch_request.h"
#include "auth/api_key.h"
#include "keys/keys.h"

namespace smsgw::api {
namespace {

// Replaces a record only if it is still the one we read: a claim is never overwritten by a
// request that no longer owns it. ARGV[2] empty deletes the key. Returns 1 if it replaced.
constexpr const char* kCompareAndSetLua = R"lua(
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL') end
return 1
)lua";

// Message ids a dead request may have used: a request makes at most one per item.
constexpr uint32_t kMaxSeededIds = static_cast<uint32_t>(kMaxBatchItems);
constexpr std::chrono::milliseconds kFirstPoll{5};
constexpr std::chrono::milliseconds kMaxPoll{100};
constexpr const char* kUnsettledRetryAfter = "5";

redis::Command CompareAndSet(const std::string& key, const std::string& expected, const std::string& next) {
  return {"EVAL", kCompareAndSetLua, "1", key, expected, next};
}

}  // namespace

struct IdempotencyGate::Attempt {
  int64_t account_id = 0;
  std::string key_hash;
  std::string record_key;
  std::string fingerprint;
  Render render;
  Run run;
  Respond respond;
  std::chrono::steady_clock::time_point wait_until;
  std::chrono::milliseconds poll = kFirstPoll;
  std::string claim;  // our claim as stored, once we hold the key
  std::atomic<uint32_t> ids_used{0};

  void Fail(const ProblemKind& kind, std::string detail, const char* retry_after = nullptr) {
    HttpResponse r = render(kind, std::move(detail));
    if (retry_after != nullptr) r.Set("Retry-After", retry_after);
    respond(std::move(r));
  }
  void Unavailable(const Status& why) {
    HttpResponse r = render(KindFor(ErrorCode::kUnavailable), "a service smsgw depends on is unavailable; retry later");
    r.log_detail = "idempotency: " + why.ToString();
    respond(std::move(r));
  }
};

HttpResponse ReplayOf(const IdempotencyRecord& record) {
  HttpResponse r;
  r.status = record.status;
  r.headers = record.headers;
  r.body = record.body;
  r.Set("Idempotent-Replayed", "true");
  return r;
}

void IdempotencyGate::Handle(int64_t account_id, const std::string& key, const HttpRequest& request, Render render,
                             Run run, Respond respond) {
  auto a = std::make_shared<Attempt>();
  a->render = std::move(render);
  a->run = std::move(run);
  a->respond = std::move(respond);
  if (Status s = CheckIdempotencyKey(key); !s.ok()) return a->Fail(KindFor(ErrorCode::kInvalidArgument), s.message());
  a->account_id = account_id;
  a->key_hash = auth::HashApiKey(key);  // SHA-256 hex: the key itself is not stored
  a->record_key = keys::IdempotencyRecord(account_id, a->key_hash);
  a->fingerprint = RequestFingerprint(request);
  a->wait_until = std::chrono::steady_clock::now() + deps_.wait;
  Claim(a);
}

void IdempotencyGate::Claim(const std::shared_ptr<Attempt>& a) {
  IdempotencyRecord claim;
  claim.fingerprint = a->fingerprint;
  claim.claimed_ms = deps_.now_ms();
  claim.token = deps_.new_token();
  std::string encoded = EncodeRecord(claim);
  // SET NX GET: claims the key, or answers what is there, in one step.
  deps_.redis({"SET", a->record_key, encoded, "NX", "GET", "PX", std::to_string(kIdempotencyKeepMs)},
              [this, a, claim = std::move(claim), encoded](Result<redis::Reply> r) mutable {
                if (!r.ok()) return a->Unavailable(r.status());
                if (r->is_nil()) {
                  a->claim = std::move(encoded);
                  return Start(a, std::move(claim));
                }
                Judge(a, r->str);
              });
}

void IdempotencyGate::Start(const std::shared_ptr<Attempt>& a, IdempotencyRecord claim) {
  auto new_id = [a, claimed_ms = claim.claimed_ms] {
    return SeededMessageId(a->key_hash, a->account_id, claimed_ms, a->ids_used++);
  };
  // The request itself runs off the Redis batcher's thread, which must stay free for others.
  deps_.offload([this, a, new_id = std::move(new_id)] {
    a->run(new_id, [this, a](HttpResponse answer) { Record(a, std::move(answer)); });
  });
}

void IdempotencyGate::Record(const std::shared_ptr<Attempt>& a, HttpResponse answer) {
  IdempotencyRecord rec = DecodeRecord(a->claim).value();  // our own claim: always decodes
  auto keep = [&rec](const HttpResponse& r) {
    rec.status = r.status;
    for (const char* name : {"Content-Type", "Location"}) {
      if (auto v = r.Get(name)) rec.headers.push_back({name, std::string(*v)});
    }
    rec.body = r.body;
  };
  std::string next;  // empty: release the key
  if (answer.status >= 500 && answer.unsettled) {
    rec.state = IdempotencyRecord::State::kUnsettled;
    keep(answer.unsettled->if_queued);
    rec.message_ids = answer.unsettled->message_ids;
    next = EncodeRecord(rec);
  } else if (answer.status != 429 && answer.status < 500) {
    rec.state = IdempotencyRecord::State::kDone;
    keep(answer);
    next = EncodeRecord(rec);
  }
  // The answer goes out once the record is written, so a retry that follows it finds it.
  deps_.redis(CompareAndSet(a->record_key, a->claim, next),
              [a, answer = std::move(answer)](Result<redis::Reply> r) mutable {
                if (!r.ok() || r->integer != 1) {
                  // The claim stays; once stale, a retry settles it from the holds.
                  spdlog::error("idempotency record {} not written: {}", a->record_key,
                                r.ok() ? "claim replaced" : r.status().ToString());
                }
                a->respond(std::move(answer));
              });
}

void IdempotencyGate::Judge(const std::shared_ptr<Attempt>& a, const std::string& stored) {
  Result<IdempotencyRecord> rec = DecodeRecord(stored);
  if (!rec.ok()) {
    HttpResponse r = a->render(KindFor(ErrorCode::kInternal), "internal error");
    r.log_detail = rec.status().ToString();
    return a->respond(std::move(r));
  }
  if (rec->fingerprint != a->fingerprint) {
    return a->Fail(kIdempotencyKeyReused,
                   "Idempotency-Key: already used with another request (method, path or body differ)");
  }
  switch (rec->state) {
    case IdempotencyRecord::State::kDone:
      return a->respond(ReplayOf(*rec));
    case IdempotencyRecord::State::kUnsettled: {
      std::vector<std::string> ids = rec->message_ids;
      return Resolve(a, std::move(rec).value(), stored, std::move(ids));
    }
    case IdempotencyRecord::State::kPending:
      break;
  }
  const auto age = std::chrono::milliseconds(deps_.now_ms() - rec->claimed_ms);
  if (age < deps_.stale) return WaitAndLook(a);
  std::vector<std::string> ids;
  for (uint32_t n = 0; n < kMaxSeededIds; ++n) {
    ids.push_back(SeededMessageId(a->key_hash, a->account_id, rec->claimed_ms, n));
  }
  Resolve(a, std::move(rec).value(), stored, std::move(ids));
}

void IdempotencyGate::WaitAndLook(const std::shared_ptr<Attempt>& a) {
  if (std::chrono::steady_clock::now() >= a->wait_until) {
    return a->Fail(kIdempotencyKeyInUse, "Idempotency-Key: a request with this key is still being answered", "1");
  }
  const std::chrono::milliseconds delay = a->poll;
  a->poll = std::min(a->poll * 2, kMaxPoll);
  deps_.after(delay, [this, a] {
    deps_.redis({"GET", a->record_key}, [this, a](Result<redis::Reply> r) {
      if (!r.ok()) return a->Unavailable(r.status());
      if (r->is_nil()) return Claim(a);  // released (a retryable answer): ours to run now
      Judge(a, r->str);
    });
  });
}

void IdempotencyGate::Resolve(const std::shared_ptr<Attempt>& a, IdempotencyRecord record, std::string stored,
                             std::vector<std::string> ids) {
  deps_.offload([this, a, record = std::move(record), stored = std::move(stored), ids = std::move(ids)]() mutable {
    Result<std::vector<std::optional<Hold>>> holds = deps_.holds(a->account_id, ids);
    if (!holds.ok()) return a->Unavailable(holds.status());
    switch (api::Settle(*holds)) {
      case Settlement::kNothingQueued:
        return TakeOver(a, stored);
      case Settlement::kUndecided:
        return a->Fail(kIdempotencyKeyInUse,
                       "Idempotency-Key: the first request with this key may have queued its messages; that is "
                       "known once they are sent or expire",
                       kUnsettledRetryAfter);
      case Settlement::kQueued:
        if (record.state == IdempotencyRecord::State::kUnsettled) {
          record.state = IdempotencyRecord::State::kDone;
          record.message_ids.clear();
          deps_.redis(CompareAndSet(a->record_key, stored, EncodeRecord(record)), [](Result<redis::Reply>) {});
          return a->respond(ReplayOf(record));
        }
        break;
      case Settlement::kMixed:
        break;
    }
    std::string sent;
    for (size_t i = 0; i < ids.size(); ++i) {
      if ((*holds)[i]) sent += (sent.empty() ? "" : " ") + ids[i];
    }
    a->Fail(kIdempotencyOutcomeUnknown,
            "Idempotency-Key: the answer to the first request with this key was lost and some of its messages "
            "were sent; look them up: " + sent);
  });
}

void IdempotencyGate::TakeOver(const std::shared_ptr<Attempt>& a, const std::string& stored) {
  IdempotencyRecord claim;
  claim.fingerprint = a->fingerprint;
  claim.claimed_ms = deps_.now_ms();
  claim.token = deps_.new_token();
  std::string encoded = EncodeRecord(claim);
  deps_.redis(CompareAndSet(a->record_key, stored, encoded),
              [this, a, claim = std::move(claim), encoded](Result<redis::Reply> r) mutable {
                if (!r.ok()) return a->Unavailable(r.status());
                if (r->integer == 1) {
                  a->claim = std::move(encoded);
                  return Start(a, std::move(claim));
                }
                WaitAndLook(a);  // another retry took it over first: wait for its answer
              });
}

}  // namespace smsgw::api
