// smsctl's operator commands against a running smsgw: send (one, and files through the batch
// endpoint), streams, status, top and db, with their exit codes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <tuple>

#include "common/version.h"
#include "stack.h"

namespace smsgw::testing {
namespace {

std::string TempFile(const std::string& suffix, const std::string& text) {
  char path[] = "/tmp/smsgw-smsctl-XXXXXX";
  close(mkstemp(path));
  const std::string named = std::string(path) + suffix;
  rename(path, named.c_str());
  std::ofstream(named) << text;
  return named;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(SmsctlOpsTest, SendOneMessageAndRefusals) {
  Stack stack;
  const std::string key = stack.CreateFundedAccount("send-one", 10, 15).second;
  CommandResult r = stack.Smsctl({"send", "--api-key", key, "--to", "+989121234567", "--text", "hi", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string id = nlohmann::json::parse(r.out).at("id").get<std::string>();
  EXPECT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, id) == "delivered"; }));
  // 5 left, a message costs 10: 402 is exit 5.
  r = stack.Smsctl({"send", "--api-key", key, "--to", "+989121234567", "--text", "too much"});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("insufficient_funds"), std::string::npos) << r.err;
  r = stack.Smsctl({"send", "--api-key", key, "--to", "not a number", "--text", "x"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = stack.Smsctl({"send", "--api-key", "nobody.nothing", "--to", "+989121234567", "--text", "x"});
  EXPECT_EQ(r.exit_code, 77) << r.err;
  r = stack.Smsctl({"send", "--to", "+989121234567"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

TEST(SmsctlOpsTest, SendFileInChunksWritesFailuresThatCanBeSentAgain) {
  Stack stack;
  const std::pair<int64_t, std::string> account_and_key = stack.CreateFundedAccount("send-file", 1, 5000);
  const int64_t account = account_and_key.first;
  const std::string key = account_and_key.second;
  std::string csv = "to,text,priority\n";
  for (int i = 0; i < 2300; ++i) csv += "+98912" + std::to_string(1000000 + i) + ",\"bulk, " + std::to_string(i) + "\",\n";
  csv += "not-a-number,broken,\n";
  csv += "+989121234567,\"express one\",express\n";
  const std::string input = TempFile(".csv", csv);
  const std::string failed = input + ".failed.csv";
  CommandResult r = stack.Smsctl({"send", "--api-key", key, "--file", input, "--failed-out", failed, "-o", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;  // one item failed
  nlohmann::json summary = nlohmann::json::parse(r.out);
  EXPECT_EQ(summary.at("total"), 2302);
  EXPECT_EQ(summary.at("accepted"), 2301);
  EXPECT_EQ(summary.at("failed"), 1);
  EXPECT_EQ(summary.at("cost"), 2301);
  const std::string failures = ReadFile(failed);
  EXPECT_NE(failures.find("not-a-number,broken"), std::string::npos) << failures;
  EXPECT_NE(failures.find("invalid_argument"), std::string::npos) << failures;
  EXPECT_TRUE(WaitUntil([&] { return stack.Balance(account) == 5000 - 2301; }, std::chrono::seconds(60)))
      << stack.Balance(account);
  // The failures file is valid input: sent again, the same item fails the same way.
  r = stack.Smsctl({"send", "--api-key", key, "--file", failed, "-o", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).at("failed"), 1);
  // JSONL.
  const std::string jsonl = TempFile(".jsonl", R"({"to":"+989121234567","text":"from jsonl"})" "\n");
  r = stack.Smsctl({"send", "--api-key", key, "--file", jsonl});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("sent 1 of 1 messages, 0 failed, cost 1"), std::string::npos) << r.out;
  // A broken file stops with the record named.
  const std::string broken = TempFile(".csv", "to,text\n+989121234567\n");
  r = stack.Smsctl({"send", "--api-key", key, "--file", broken});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("record 2"), std::string::npos) << r.err;
  for (const std::string& f : {input, failed, jsonl, broken}) unlink(f.c_str());
}

TEST(SmsctlOpsTest, StreamsShowTheBacklogPerLevelAndAccount) {
  Stack stack;
  int64_t a = 0;
  std::string key_a;
  std::tie(a, key_a) = stack.CreateFundedAccount("backlog-a", 1, 1000);
  int64_t b = 0;
  std::string key_b;
  std::tie(b, key_b) = stack.CreateFundedAccount("backlog-b", 1, 1000);
  stack.process("smsgw-sched")->Kill();  // nothing drains the queues
  for (int i = 0; i < 7; ++i) ASSERT_EQ(stack.Api("POST", "/v1/messages", R"({"to":"+989121234567","text":"a"})", key_a).status, 202);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(stack.Api("POST", "/v1/messages", R"({"to":"+989121234567","text":"b"})", key_b).status, 202);
  ASSERT_EQ(stack.Api("POST", "/v1/messages", R"({"to":"+989121234567","text":"x","priority":"express"})", key_b).status, 202);

  CommandResult r = stack.Smsctl({"streams", "list", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json rows = nlohmann::json::parse(r.out);
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& row : rows) by_name[row.at("name")] = row;
  EXPECT_EQ(by_name.at("q:express").at("length"), 1);
  EXPECT_EQ(by_name.at("normal (2 accounts)").at("length"), 10);
  EXPECT_EQ(by_name.at("{a:" + std::to_string(a) + "}:q").at("length"), 7);
  EXPECT_EQ(rows[5].at("name"), "{a:" + std::to_string(a) + "}:q");  // longest first, after the 5 levels
  EXPECT_GE(by_name.at("ev:report").at("length").get<int>(), 0);

  r = stack.Smsctl({"streams", "info", "express", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json info = nlohmann::json::parse(r.out);
  ASSERT_FALSE(info.empty()) << r.out;
  EXPECT_EQ(info[0].at("stream"), "q:express");
  EXPECT_EQ(info[0].at("length"), 1);
  r = stack.Smsctl({"streams", "pending", "events", "-o", "csv"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "id,consumer,idle_ms,deliveries,age_s");
  r = stack.Smsctl({"streams", "info", "no-such-stream"});
  EXPECT_EQ(r.exit_code, 3) << r.err;

  // top sees the same backlog; the figures of the scheduler, which is down, are null and named.
  r = stack.Smsctl({"top", "--once", "--interval", "0.5", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json top = nlohmann::json::parse(r.out);
  EXPECT_EQ(top.at("queues").at("express").at("length"), 1);
  EXPECT_EQ(top.at("queues").at("normal").at("length"), 10);
  EXPECT_EQ(top.at("active_accounts"), 2);
  EXPECT_EQ(top.at("top_accounts")[0].at("length"), 7);
  EXPECT_EQ(top.at("operators")[0].at("name"), "sim");
  EXPECT_TRUE(top.at("rates").at("accepted_per_s").is_number()) << top;
  EXPECT_TRUE(top.at("rates").at("submitted_per_s").is_null()) << top;
  const nlohmann::json& missing = top.at("missing_metrics");
  EXPECT_NE(std::find(missing.begin(), missing.end(), "smsgw_sched_submits_total"), missing.end()) << missing;
  EXPECT_EQ(std::find(missing.begin(), missing.end(), "smsgw_api_messages_accepted_total"), missing.end()) << missing;
  r = stack.Smsctl({"top", "--once", "--interval", "0.2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("express"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\x1b["), std::string::npos) << "no terminal codes when not on a terminal";
}

TEST(SmsctlOpsTest, StatusShowsEveryPartAndFailsWhenOneIsDown) {
  Stack stack;
  CommandResult r = stack.Smsctl({"status", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::map<std::string, nlohmann::json> parts;
  for (const auto& row : nlohmann::json::parse(r.out)) parts[row.at("component")] = row;
  for (const char* d : {"smsgw-api", "smsgw-ledger", "smsgw-sched", "smsgw-report"}) {
    EXPECT_EQ(parts.at(d).at("state"), "ok") << d;
    EXPECT_EQ(parts.at(d).at("version"), kVersion) << d;
  }
  EXPECT_EQ(parts.at("redis").at("state"), "ok");
  EXPECT_EQ(parts.at("postgres").at("state"), "ok");
  EXPECT_FALSE(parts.at("postgres").at("version").get<std::string>().empty());

  stack.process("smsgw-report")->Stop();
  r = stack.Smsctl({"status", "-o", "json"});
  EXPECT_EQ(r.exit_code, 69) << r.out;
  parts.clear();
  for (const auto& row : nlohmann::json::parse(r.out)) parts[row.at("component")] = row;
  EXPECT_EQ(parts.at("smsgw-report").at("state"), "down");
  EXPECT_EQ(parts.at("smsgw-report grpc").at("state"), "down");
}

TEST(SmsctlOpsTest, DbStatusListsAppliedMigrationsAndMigrateIsIdempotent) {
  Stack stack(Stack::LedgerOnly());
  CommandResult r = stack.Smsctl({"db", "status", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json rows = nlohmann::json::parse(r.out);
  ASSERT_GE(rows.size(), 3u);
  for (const auto& row : rows) EXPECT_NE(row.at("applied_at"), "pending") << row;
  r = stack.Smsctl({"db", "migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("schema is up to date"), std::string::npos) << r.out;
  stack.Sql("DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)");
  r = stack.Smsctl({"db", "status", "-o", "json"});
  EXPECT_EQ(nlohmann::json::parse(r.out).back().at("applied_at"), "pending") << r.out;
  EXPECT_EQ(stack.Smsctl({"--version"}).out, std::string("smsgw ") + kVersion + "\n");
}

}  // namespace
}  // namespace smsgw::testing
