// smsgw-api: IdempotencyGate's flow with an in-memory Redis and a manual clock: one run per
// key, replays, waiting for a running request, 409s, released keys, and unsettled answers
// settled from holds (review m5).
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <mutex>

#include "api/idempotency_gate.h"

namespace smsgw::api {
namespace {

redis::Reply Str(const std::string& s) {
  redis::Reply r;
  r.type = redis::Reply::Type::kString;
  r.str = s;
  return r;
}
redis::Reply Int(int64_t v) {
  redis::Reply r;
  r.type = redis::Reply::Type::kInteger;
  r.integer = v;
  return r;
}

// The three commands the gate sends, on a map; `after` tasks wait until Tick().
struct World {
  std::map<std::string, std::string> kv;
  std::deque<std::function<void()>> later;
  std::map<std::string, Hold> holds;
  int64_t now = 1735689600000;
  int tokens = 0;

  Result<redis::Reply> Run(const redis::Command& c) {
    if (c[0] == "SET") {  // SET key value NX GET PX ms
      auto it = kv.find(c[1]);
      if (it != kv.end()) return Str(it->second);
      kv[c[1]] = c[2];
      return redis::Reply{};
    }
    if (c[0] == "GET") {
      auto it = kv.find(c[1]);
      return it == kv.end() ? redis::Reply{} : Str(it->second);
    }
    if (c[0] == "EVAL") {  // compare-and-set: key c[3], expected c[4], next c[5] ("" deletes)
      auto it = kv.find(c[3]);
      if (it == kv.end() || it->second != c[4]) return Int(0);
      if (c[5].empty()) {
        kv.erase(it);
      } else {
        it->second = c[5];
      }
      return Int(1);
    }
    return Status::Internal("unexpected command " + c[0]);
  }

  IdempotencyDeps Deps() {
    IdempotencyDeps d;
    d.redis = [this](redis::Command c, std::function<void(Result<redis::Reply>)> done) { done(Run(c)); };
    d.offload = [](std::function<void()> task) { task(); };
    d.after = [this](std::chrono::milliseconds, std::function<void()> task) { later.push_back(std::move(task)); };
    d.holds = [this](int64_t, const std::vector<std::string>& ids) -> Result<std::vector<std::optional<Hold>>> {
      std::vector<std::optional<Hold>> out;
      for (const std::string& id : ids) {
        auto it = holds.find(id);
        out.push_back(it == holds.end() ? std::nullopt : std::optional<Hold>(it->second));
      }
      return out;
    };
    d.now_ms = [this] { return now; };
    d.new_token = [this] { return "t" + std::to_string(++tokens); };
    d.wait = std::chrono::milliseconds(3000);
    d.stale = std::chrono::milliseconds(60000);
    return d;
  }

  // Runs the waiting tasks once (each poll reschedules itself if still waiting).
  void Tick() {
    std::deque<std::function<void()>> now_due;
    now_due.swap(later);
    for (auto& t : now_due) t();
  }
};

HttpRequest Post(const std::string& body) {
  HttpRequest r;
  r.method = "POST";
  r.target = "/v1/messages";
  r.headers = {{"Content-Type", "application/json"}};
  r.body = body;
  return r;
}

HttpResponse Render(const ProblemKind& kind, std::string detail) { return ProblemResponse(kind, std::move(detail)); }

class ApiIdempotencyGateTest : public ::testing::Test {
 protected:
  ApiIdempotencyGateTest() : gate_(world_.Deps()) {}

  // Handles a request whose run answers `answer` at once (counting runs); returns the answer,
  // which must come before Handle returns (nothing here waits).
  std::optional<HttpResponse> Send(const std::string& key, const std::string& body, HttpResponse answer) {
    std::optional<HttpResponse> out;
    gate_.Handle(
        7, key, Post(body), Render,
        [&, answer](std::function<std::string()> new_id, Respond respond) {
          ++runs_;
          ids_.push_back(new_id());
          respond(answer);
        },
        [&](HttpResponse r) { out = std::move(r); });
    return out;
  }

  static HttpResponse Accepted(const std::string& id) {
    HttpResponse r = JsonResponse(202, {{"id", id}});
    r.Set("Location", "/v1/messages/" + id);
    return r;
  }

  World world_;
  IdempotencyGate gate_;
  int runs_ = 0;
  std::vector<std::string> ids_;
};

TEST_F(ApiIdempotencyGateTest, TheFirstRunsAndTheRestReplayIt) {
  std::optional<HttpResponse> first = Send("k", "{}", Accepted("m1"));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 202);
  EXPECT_FALSE(first->Get("Idempotent-Replayed"));
  for (int i = 0; i < 3; ++i) {
    std::optional<HttpResponse> again = Send("k", "{}", Accepted("never"));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 202);
    EXPECT_EQ(again->body, first->body);
    EXPECT_EQ(again->Get("Location"), "/v1/messages/m1");
    EXPECT_EQ(again->Get("Idempotent-Replayed"), "true");
  }
  EXPECT_EQ(runs_, 1);
  std::optional<HttpResponse> other = Send("k", R"({"other":1})", Accepted("never"));
  EXPECT_EQ(other->status, 409);
  EXPECT_EQ(nlohmann::json::parse(other->body).at("code"), "idempotency_key_reused");
  EXPECT_EQ(Send(std::string(256, 'k'), "{}", Accepted("never"))->status, 400);
  EXPECT_EQ(runs_, 1);
}

TEST_F(ApiIdempotencyGateTest, AConcurrentRequestWaitsForTheFirstsAnswer) {
  Respond finish_first;
  std::optional<HttpResponse> first, second;
  gate_.Handle(
      7, "k", Post("{}"), Render, [&](std::function<std::string()>, Respond respond) {
        ++runs_;
        finish_first = std::move(respond);  // still running
      },
      [&](HttpResponse r) { first = std::move(r); });
  gate_.Handle(7, "k", Post("{}"), Render, [&](std::function<std::string()>, Respond) { ++runs_; },
               [&](HttpResponse r) { second = std::move(r); });
  EXPECT_FALSE(second);  // waiting
  world_.Tick();
  EXPECT_FALSE(second);
  finish_first(Accepted("m1"));
  ASSERT_TRUE(first);
  world_.Tick();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, first->body);
  EXPECT_EQ(second->Get("Idempotent-Replayed"), "true");
  EXPECT_EQ(runs_, 1);
}

TEST_F(ApiIdempotencyGateTest, TheWaitIsBounded) {
  gate_.Handle(7, "k", Post("{}"), Render, [&](std::function<std::string()>, Respond) { ++runs_; },
               [](HttpResponse) {});
  IdempotencyDeps short_wait = world_.Deps();
  short_wait.wait = std::chrono::milliseconds(0);
  IdempotencyGate impatient(short_wait);
  std::optional<HttpResponse> r;
  impatient.Handle(7, "k", Post("{}"), Render, [&](std::function<std::string()>, Respond) { ++runs_; },
                   [&](HttpResponse a) { r = std::move(a); });
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409);
  EXPECT_EQ(nlohmann::json::parse(r->body).at("code"), "idempotency_key_in_use");
  EXPECT_EQ(r->Get("Retry-After"), "1");
  EXPECT_EQ(runs_, 1);
}

TEST_F(ApiIdempotencyGateTest, RetryableAnswersReleaseTheKey) {
  EXPECT_EQ(Send("k", "{}", ProblemResponse(kRateLimited, "slow down"))->status, 429);
  EXPECT_EQ(Send("k", "{}", ProblemResponse(Status::Unavailable("queue full")))->status, 503);
  EXPECT_EQ(Send("k", "{}", Accepted("m1"))->status, 202);
  EXPECT_EQ(runs_, 3);
  EXPECT_EQ(Send("k", "{}", Accepted("never"))->Get("Idempotent-Replayed"), "true");
}

TEST_F(ApiIdempotencyGateTest, AnUnsettledAnswerIsSettledByTheHolds) {
  HttpResponse unsettled = ProblemResponse(Status::Unavailable("enqueue failed, refund failed"));
  unsettled.unsettled = std::make_shared<const UnsettledSend>(UnsettledSend{{"m1"}, Accepted("m1")});
  EXPECT_EQ(Send("k", "{}", unsettled)->status, 503);
  world_.holds["m1"] = {HoldState::kHeld, 10};  // maybe queued: no answer yet, no second run
  std::optional<HttpResponse> pending = Send("k", "{}", Accepted("never"));
  EXPECT_EQ(pending->status, 409);
  EXPECT_EQ(nlohmann::json::parse(pending->body).at("code"), "idempotency_key_in_use");
  EXPECT_FALSE(pending->Get("Retry-After")->empty());
  world_.holds["m1"] = {HoldState::kCharged, 10};  // the scheduler took it: it is being sent
  std::optional<HttpResponse> sent = Send("k", "{}", Accepted("never"));
  EXPECT_EQ(sent->status, 202);
  EXPECT_EQ(sent->Get("Location"), "/v1/messages/m1");
  EXPECT_EQ(sent->Get("Idempotent-Replayed"), "true");
  EXPECT_EQ(runs_, 1);

  EXPECT_EQ(Send("j", "{}", unsettled)->status, 503);
  world_.holds["m1"] = {HoldState::kRefunded, 10};  // not sent, never will be: run again
  EXPECT_EQ(Send("j", "{}", Accepted("m2"))->Get("Location"), "/v1/messages/m2");
  EXPECT_EQ(runs_, 3);
}

TEST_F(ApiIdempotencyGateTest, MessageIdsFollowTheClaimAndAStaleClaimIsSettled) {
  gate_.Handle(7, "k", Post("{}"), Render,
               [&](std::function<std::string()> new_id, Respond) { ids_.push_back(new_id()); }, [](HttpResponse) {});
  ASSERT_EQ(ids_.size(), 1u);
  world_.now += 120000;  // long after: stale
  world_.holds[ids_[0]] = {HoldState::kCharged, 10};
  std::optional<HttpResponse> unknown = Send("k", "{}", Accepted("never"));
  EXPECT_EQ(unknown->status, 409);
  EXPECT_EQ(nlohmann::json::parse(unknown->body).at("code"), "idempotency_outcome_unknown");
  EXPECT_NE(nlohmann::json::parse(unknown->body).at("detail").get<std::string>().find(ids_[0]), std::string::npos);
  world_.holds.clear();  // nothing of it was debited: the retry takes the key over and runs
  EXPECT_EQ(Send("k", "{}", Accepted("m9"))->status, 202);
  EXPECT_EQ(runs_, 1);
  EXPECT_NE(ids_[1], ids_[0]);  // a new claim, new ids
}

}  // namespace
}  // namespace smsgw::api
