#include "sched/outbox.h"

#include <gtest/gtest.h>

#include "sched/pause.h"

namespace smsgw::sched {
namespace {

// A pipeline that answers as told and remembers what it was sent.
struct FakeRedis {
  std::vector<std::vector<redis::Command>> sent;
  bool down = false;
  std::vector<std::string> failing;  // commands (by their first argument after the name) that answer an error

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
          if (c.size() > 1 && c[1] == f) {
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
  redis.failing = {"ev:report"};
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
