// lib/redis against a real Redis: scripts survive a Redis that forgot them (SCRIPT FLUSH is
// what a restart does), and no other command of the pipeline runs twice meanwhile.
#include <gtest/gtest.h>

#include "redis/redis.h"
#include "stack.h"

namespace smsgw::testing {
namespace {

std::unique_ptr<redis::Connection> Connect() {
  config::RedisConfig rc;
  rc.port = Servers::FromEnv().redis_port;
  Result<std::unique_ptr<redis::Connection>> c = redis::Connection::Open(rc);
  if (!c.ok()) throw std::runtime_error(c.status().ToString());
  return std::move(c).value();
}

TEST(RedisScriptTest, PipelineReloadsForgottenScriptsAndRunsOtherSlotsOnce) {
  auto conn = Connect();
  const redis::Script incr("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  ASSERT_TRUE(conn->Run({"DEL", "t:counter", "t:stream"}).ok());
  ASSERT_TRUE(conn->Run({"SCRIPT", "FLUSH"}).ok());

  Result<std::vector<redis::Reply>> r = conn->PipelineScripts(
      {{"XADD", "t:stream", "*", "f", "v"}, incr.Invocation({"t:counter"}, {"5"}), incr.Invocation({"t:counter"}, {"2"})},
      {&incr});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_FALSE((*r)[1].is_error()) << (*r)[1].str;
  EXPECT_EQ(conn->Run({"GET", "t:counter"})->str, "7");
  EXPECT_EQ(conn->Run({"XLEN", "t:stream"})->integer, 1);  // the XADD ran once

  // With the script loaded, nothing is retried.
  r = conn->PipelineScripts({incr.Invocation({"t:counter"}, {"1"})}, {&incr});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].integer, 8);
}

TEST(RedisScriptTest, EvalReloadsAForgottenScript) {
  auto conn = Connect();
  const redis::Script echo("return ARGV[1]");
  ASSERT_TRUE(conn->Run({"SCRIPT", "FLUSH"}).ok());
  Result<redis::Reply> r = conn->Eval(echo, {}, {"hello"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->str, "hello");
}

TEST(RedisScriptTest, ErrorRepliesThatPassAreUnavailable) {
  EXPECT_EQ(redis::ErrorReply("GET", "LOADING Redis is loading the dataset in memory").code(), ErrorCode::kUnavailable);
  EXPECT_EQ(redis::ErrorReply("GET", "WRONGTYPE Operation against a key").code(), ErrorCode::kInternal);
}

}  // namespace
}  // namespace smsgw::testing
