#include "sched/outbox.h"

#include <gtest/gtest.h>

#include "sched/pause.h"

namespace smsgw::sched {
namespace {

// A pipeline that answers as told and remembers what it was sent.
struct FakeRedis {
  std::vector<std::vector<redis::Command>> sent;
  bool down = false;
  std::vector<std::string> failing;  // commands (by name and first argument) that answer an error

  Outbox::PipelineFn Fn() {
    return [this](const std::vector<redis::Command>& cmds) -> Result<std::vector<redis::Reply>> {
      sent.push_back(cmds);
      if (down) return Status::Unavailable("redis: connection refused");
      std::vector<redis::Reply> replies;
      for (const redis::Command& c : cmds) {
        redis::Reply r;
        r.type = redis::Reply::Type::kStatus;
        r.str = "OK";
        for (const std::string& f : failing) {
          if (c.size() > 1 && c[0] + " " + c[1] == f) {
            r.type = redis::Reply::Type::kError;
            r.str = "OOM command not allowed";
          }
        }
        replies.push_back(r);
      }
      return replies;
    };
  }
};

TEST(OutboxTest, EverythingGoesInOnePipelineAndSettlesItsEntries) {
  Outbox box;
  FakeRedis redis;
  box.Add({{"XADD", "ev:report"}, {"XACK", "s1"}}, "s1\n1-0");
  box.Add({{"XACK", "s2"}}, "s2\n1-0");
  EXPECT_EQ(box.commands(), 3u);
  ASSERT_TRUE(box.Flush(redis.Fn()).ok());
  ASSERT_EQ(redis.sent.size(), 1u);
  EXPECT_EQ(redis.sent[0].size(), 3u);
  EXPECT_TRUE(box.empty());
  EXPECT_EQ(box.TakeLanded(), (std::vector<std::string>{"s1\n1-0", "s2\n1-0"}));
  EXPECT_TRUE(box.TakeLanded().empty());
}

TEST(OutboxTest, AConnectionFailureKeepsEveryCommandUntilItLands) {
  Outbox box;
  FakeRedis redis;
  box.Add({{"SET", "dlr:op:1"}, {"XACK", "s1"}}, "s1\n1-0");
  redis.down = true;
  for (int i = 0; i < 3; ++i) {
    Status s = box.Flush(redis.Fn());
    EXPECT_EQ(s.code(), ErrorCode::kUnavailable);
    EXPECT_EQ(box.commands(), 2u);
    EXPECT_TRUE(box.TakeLanded().empty());
  }
  box.Add({{"XACK", "s2"}}, "s2\n1-0");  // later work joins the same pipeline
  redis.down = false;
  ASSERT_TRUE(box.Flush(redis.Fn()).ok());
  EXPECT_EQ(redis.sent.back().size(), 3u);
  EXPECT_EQ(box.TakeLanded().size(), 2u);
}

TEST(OutboxTest, OnlyTheSlotsThatFailedAreSentAgain) {
  Outbox box;
  FakeRedis redis;
  box.Add({{"SET", "dlr:op:1"}, {"XADD", "ev:report"}, {"XACK", "s1"}}, "s1\n1-0");
  box.Add({{"XACK", "s2"}}, "s2\n1-0");
  redis.failing = {"XADD ev:report"};
  Status s = box.Flush(redis.Fn());
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("1 command(s) failed"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("OOM"), std::string::npos) << s.message();
  // s2 landed whole; s1 still waits for its event.
  EXPECT_EQ(box.TakeLanded(), std::vector<std::string>{"s2\n1-0"});
  EXPECT_EQ(box.commands(), 1u);
  redis.failing.clear();
  ASSERT_TRUE(box.Flush(redis.Fn()).ok());
  EXPECT_EQ(redis.sent.back(), (std::vector<redis::Command>{{"XADD", "ev:report"}}));
  EXPECT_EQ(box.TakeLanded(), std::vector<std::string>{"s1\n1-0"});
}

TEST(OutboxTest, AGroupWithoutCommandsLandsAtOnce) {
  Outbox box;
  box.Add({}, "s1\n1-0");
  EXPECT_TRUE(box.empty());
  EXPECT_EQ(box.TakeLanded(), std::vector<std::string>{"s1\n1-0"});
  box.Add({{"XADD", "ev:report"}});  // no entry: nothing to hand back
  FakeRedis redis;
  ASSERT_TRUE(box.Flush(redis.Fn()).ok());
  EXPECT_TRUE(box.TakeLanded().empty());
}

TEST(OutboxTest, AcksGoTogetherPerStreamAfterEveryOtherWrite) {
  Outbox box;
  FakeRedis redis;
  box.Add({{"XADD", "ev:report", "*", "e", "1"}, {"XACK", "{a:1}:q", "sched", "1-0"}, {"XDEL", "{a:1}:q", "1-0"}}, "a1");
  box.Add({{"ZADD", "q:retry", "5", "m"}, {"XACK", "q:express", "sched", "7-0"}, {"XDEL", "q:express", "7-0"}}, "x7");
  box.Add({{"SET", "dlr:op:9", "v"}, {"XACK", "{a:1}:q", "sched", "2-0"}, {"XDEL", "{a:1}:q", "2-0"}}, "a2");
  ASSERT_TRUE(box.Flush(redis.Fn()).ok());
  const std::vector<redis::Command> want = {
      {"XADD", "ev:report", "*", "e", "1"},
      {"ZADD", "q:retry", "5", "m"},
      {"SET", "dlr:op:9", "v"},
      {"XACK", "q:express", "sched", "7-0"},
      {"XACK", "{a:1}:q", "sched", "1-0", "2-0"},
      {"XDEL", "q:express", "7-0"},
      {"XDEL", "{a:1}:q", "1-0", "2-0"},
  };
  EXPECT_EQ(redis.sent.at(0), want);
  EXPECT_EQ(box.TakeLanded(), (std::vector<std::string>{"a1", "x7", "a2"}));
}

TEST(OutboxTest, AFailedMergedAckKeepsTheAcksOfEveryMessageInIt) {
  Outbox box;
  FakeRedis redis;
  box.Add({{"XADD", "ev:report", "*", "e", "1"}, {"XACK", "{a:1}:q", "sched", "1-0"}}, "a1");
  box.Add({{"XACK", "{a:1}:q", "sched", "2-0"}}, "a2");
  box.Add({{"XACK", "{a:2}:q", "sched", "3-0"}}, "b3");
  redis.failing = {"XACK {a:1}:q"};
  EXPECT_FALSE(box.Flush(redis.Fn()).ok());
  EXPECT_EQ(box.TakeLanded(), std::vector<std::string>{"b3"});
  EXPECT_EQ(box.commands(), 2u);  // the event landed; both acks of {a:1}:q wait
  redis.failing.clear();
  ASSERT_TRUE(box.Flush(redis.Fn()).ok());
  EXPECT_EQ(redis.sent.back(), (std::vector<redis::Command>{{"XACK", "{a:1}:q", "sched", "1-0", "2-0"}}));
  EXPECT_EQ(box.TakeLanded(), (std::vector<std::string>{"a1", "a2"}));
}

TEST(OutboxTest, TheTailRidesAlongAndIsNotKept) {
  Outbox box;
  FakeRedis redis;
  box.Add({{"SET", "dlr:op:1", "v"}}, "s1");
  std::vector<redis::Reply> tail_replies;
  redis.failing = {"SET dlr:op:1"};
  EXPECT_FALSE(box.Flush(redis.Fn(), {{"EVALSHA", "sha", "1", "dlr:op:1"}}, &tail_replies).ok());
  ASSERT_EQ(redis.sent.back().size(), 2u);
  EXPECT_EQ(redis.sent.back()[1][0], "EVALSHA");  // after the writes, in the same round trip
  ASSERT_EQ(tail_replies.size(), 1u);
  EXPECT_FALSE(tail_replies[0].is_error());
  redis.failing.clear();
  tail_replies.clear();
  ASSERT_TRUE(box.Flush(redis.Fn(), {}, &tail_replies).ok());
  EXPECT_EQ(redis.sent.back(), (std::vector<redis::Command>{{"SET", "dlr:op:1", "v"}}));
  EXPECT_TRUE(tail_replies.empty());
  // Only a tail: sent even with nothing queued.
  ASSERT_TRUE(box.Flush(redis.Fn(), {{"PING"}}, &tail_replies).ok());
  EXPECT_EQ(tail_replies.size(), 1u);
}


// The submitted marks' deletions go after the acks (review C3), merged into one DEL; a
// group's `landed` callback runs once all its commands landed, not before.
TEST(OutboxTest, MarkDeletionsFollowTheAcksAndLandedRunsAfterLanding) {
  Outbox box;
  FakeRedis redis;
  int landed = 0;
  box.Add({{"SET", "sent:m1"}, {"XACK", "s1", "sched", "1-0"}, {"XDEL", "s1", "1-0"}, {"DEL", "sent:m1"}}, "s1\n1-0",
          [&] { ++landed; });
  box.Add({{"SET", "sent:m2"}, {"XACK", "s1", "sched", "2-0"}, {"XDEL", "s1", "2-0"}, {"DEL", "sent:m2"}}, "s1\n2-0");
  redis.down = true;
  EXPECT_FALSE(box.Flush(redis.Fn()).ok());
  EXPECT_EQ(landed, 0);
  redis.down = false;
  ASSERT_TRUE(box.Flush(redis.Fn()).ok());
  EXPECT_EQ(landed, 1);
  const std::vector<redis::Command>& sent = redis.sent.back();
  ASSERT_EQ(sent.size(), 5u);
  EXPECT_EQ(sent[2], (redis::Command{"XACK", "s1", "sched", "1-0", "2-0"}));
  EXPECT_EQ(sent[3], (redis::Command{"XDEL", "s1", "1-0", "2-0"}));
  EXPECT_EQ(sent[4], (redis::Command{"DEL", "sent:m1", "sent:m2"}));
  int empty_landed = 0;
  box.Add({}, "", [&] { ++empty_landed; });
  EXPECT_EQ(empty_landed, 1);
}

TEST(PauseTest, DoublesWhileFailingUpToItsCapAndResetsOnSuccess) {
  Pause p(50, 300);
  EXPECT_TRUE(p.Ready(0));
  p.Failed(1000);
  EXPECT_FALSE(p.Ready(1049));
  EXPECT_TRUE(p.Ready(1050));
  p.Failed(1050);
  EXPECT_EQ(p.next_ms(), 1150);
  p.Failed(1150);
  EXPECT_EQ(p.next_ms(), 1350);
  p.Failed(1350);
  EXPECT_EQ(p.next_ms(), 1650);  // capped at 300
  EXPECT_EQ(p.failures(), 4);
  p.Succeeded();
  EXPECT_TRUE(p.Ready(0));
  p.Failed(2000);
  EXPECT_EQ(p.next_ms(), 2050);
}

}  // namespace
}  // namespace smsgw::sched
