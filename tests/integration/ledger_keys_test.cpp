// Every Lua script smsgw-ledger runs touches the keys of one account only, so each can run in
// one Redis Cluster slot: watched with MONITOR while the ledger does everything it does
// (accounts, top-ups, debits, captures, refunds, expiry, flushes, a warm-up), every script
// invocation's KEYS, and every key its commands touch, share one {a:<id>} hash tag.
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <chrono>
#include <map>
#include <thread>
#include <tuple>

#include "ledger/lua_scripts.h"
#include "proto/smsgw.pb.h"
#include "rpc/clients.h"
#include "stack.h"

namespace smsgw::testing {
namespace {

constexpr const char* kEndMarker = "ledger-keys-test-end";

// One MONITOR line: `<time> [<db> <client>] "arg" "arg" ...`, arguments escaped as Redis's
// sdscatrepr writes them.
struct Seen {
  bool from_lua = false;
  std::vector<std::string> args;
};

Seen ParseMonitorLine(const std::string& line) {
  Seen seen;
  const size_t open = line.find('[');
  const size_t close = line.find(']', open);
  if (open == std::string::npos || close == std::string::npos) return seen;
  seen.from_lua = line.substr(open, close - open).find(" lua") != std::string::npos;
  for (size_t i = close + 1; i < line.size(); ++i) {
    if (line[i] != '"') continue;
    std::string arg;
    for (++i; i < line.size() && line[i] != '"'; ++i) {
      if (line[i] != '\\' || i + 1 >= line.size()) {
        arg += line[i];
        continue;
      }
      const char c = line[++i];
      if (c == 'x' && i + 2 < line.size()) {
        arg += static_cast<char>(std::stoi(line.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        arg += c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c == 'a' ? '\a' : c == 'b' ? '\b' : c;
      }
    }
    seen.args.push_back(std::move(arg));
  }
  return seen;
}

// "{a:12}" of "{a:12}:acct", or "" for a key outside every account.
std::string AccountTag(const std::string& key) {
  if (key.rfind("{a:", 0) != 0) return "";
  const size_t close = key.find('}');
  return close == std::string::npos ? "" : key.substr(0, close + 1);
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Records every command Redis runs until it sees ECHO kEndMarker.
class Monitor {
 public:
  explicit Monitor(int port) {
    ctx_ = redisConnect("127.0.0.1", port);
    if (ctx_ == nullptr || ctx_->err != 0) throw std::runtime_error("cannot connect to Redis for MONITOR");
    timeval tv{60, 0};  // never wait for ever, should the marker not come
    redisSetTimeout(ctx_, tv);
    auto* ok = static_cast<redisReply*>(redisCommand(ctx_, "MONITOR"));
    if (ok == nullptr) throw std::runtime_error("MONITOR failed");
    freeReplyObject(ok);
    thread_ = std::thread([this] {
      while (true) {
        void* raw = nullptr;
        if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) return;
        auto* r = static_cast<redisReply*>(raw);
        std::string line(r->str != nullptr ? r->str : "", r->str != nullptr ? r->len : 0);
        freeReplyObject(r);
        Seen seen = ParseMonitorLine(line);
        const bool end = seen.args.size() == 2 && Upper(seen.args[0]) == "ECHO" && seen.args[1] == kEndMarker;
        if (end) return;
        seen_.push_back(std::move(seen));
      }
    });
  }
  ~Monitor() {
    if (thread_.joinable()) thread_.join();
    redisFree(ctx_);
  }
  // Waits for the marker (send it first) and returns everything seen before it.
  const std::vector<Seen>& Stop() {
    thread_.join();
    return seen_;
  }

 private:
  redisContext* ctx_ = nullptr;
  std::thread thread_;
  std::vector<Seen> seen_;
};

TEST(LedgerKeysTest, EveryScriptTouchesTheKeysOfOneAccount) {
  Stack::Options options;
  options.sim = options.report = options.sched = options.api = false;
  Stack stack(options);
  rpc::LedgerClient ledger(stack.ledger_address());
  Monitor monitor(Servers::FromEnv().redis_port);

  // Everything the ledger does with scripts: account creation and top-up, debits across two
  // accounts in one batch (one refused, one expiring), captures, refunds, the sweeper, the
  // flusher, a settings change, and a restart's comparison with PostgreSQL.
  int64_t a = 0;
  std::string key_a;
  std::tie(a, key_a) = stack.CreateFundedAccount("keys-a", 10, 100);
  int64_t b = 0;
  std::string key_b;
  std::tie(b, key_b) = stack.CreateFundedAccount("keys-b", 10, 50);
  v1::DebitBatchRequest debits;
  for (auto [account, id, cost, ttl] : std::vector<std::tuple<int64_t, std::string, int64_t, int64_t>>{
           {a, "d1", 10, 3600}, {b, "d2", 20, 3600}, {a, "e1", 30, 1}, {b, "poor", 1000, 3600}}) {
    v1::DebitRequest* item = debits.add_items();
    item->set_account_id(account);
    item->set_message_id(id);
    item->set_cost(cost);
    item->set_ttl_s(ttl);
  }
  ASSERT_TRUE(ledger.DebitBatch(debits).ok());
  v1::CaptureBatchRequest captures;
  for (auto [account, id] : std::vector<std::pair<int64_t, std::string>>{{a, "d1"}, {b, "d2"}}) {
    v1::CaptureRequest* item = captures.add_items();
    item->set_account_id(account);
    item->set_message_id(id);
  }
  ASSERT_TRUE(ledger.CaptureBatch(captures).ok());
  ASSERT_TRUE(ledger.Refund(b, "d2", "test").ok());
  ASSERT_TRUE(ledger.Refund(a, "never-debited", "test").ok());
  const std::string sql = "SELECT balance FROM accounts WHERE id = " + std::to_string(a);
  ASSERT_TRUE(WaitUntil([&] { return stack.Sql(sql) == "90"; }, std::chrono::seconds(10)))  // e1 expired, flushed
      << stack.Sql(sql);
  // A settings change, and a Redis whose change counter went back behind PostgreSQL's (as after
  // an AOF that lost its tail), which the flusher moves on.
  ASSERT_EQ(stack.Smsctl({"account", "set-weight", std::to_string(b), "3"}).exit_code, 0);
  const std::string acct_a = "{a:" + std::to_string(a) + "}:acct";
  ASSERT_TRUE(stack.redis().Run({"HSET", acct_a, "ops", "0"}).ok());
  ASSERT_TRUE(stack.redis().Run({"SADD", "ledger:dirty", std::to_string(a)}).ok());
  ASSERT_TRUE(WaitUntil([&] { return stack.redis().Run({"HGET", acct_a, "ops"})->str != "0"; }));
  stack.process("smsgw-ledger")->Kill();
  stack.Start("smsgw-ledger");
  ASSERT_TRUE(WaitUntil([&] { return ledger.GetBalance(b).ok(); }));
  ASSERT_TRUE(stack.redis().Run({"ECHO", kEndMarker}).ok());
  const std::vector<Seen>& seen = monitor.Stop();

  const std::map<std::string, std::string> ledger_scripts = {
      {ledger::lua::kDebitScript.sha(), "debit"},          {ledger::lua::kCaptureScript.sha(), "capture"},
      {ledger::lua::kRefundScript.sha(), "refund"},        {ledger::lua::kExpireScript.sha(), "expire"},
      {ledger::lua::kApplyTopUpScript.sha(), "top-up"},    {ledger::lua::kSyncAccountScript.sha(), "sync account"},
      {ledger::lua::kSetSettingsScript.sha(), "settings"}, {ledger::lua::kPassFlushedScript.sha(), "pass flushed"}};
  std::map<std::string, int> invocations;
  std::string script_tag;  // of the script whose commands follow (MONITOR lists them after it)
  int script_commands = 0;
  for (const Seen& s : seen) {
    if (s.args.empty()) continue;
    const std::string verb = Upper(s.args[0]);
    if (s.from_lua) {
      ASSERT_FALSE(script_tag.empty()) << "a script command outside a script: " << verb;
      ASSERT_GE(s.args.size(), 2u) << verb;
      EXPECT_EQ(AccountTag(s.args[1]), script_tag) << "a script touched " << s.args[1];
      ++script_commands;
      continue;
    }
    script_tag.clear();
    if (verb != "EVALSHA" && verb != "EVAL") continue;
    ASSERT_GE(s.args.size(), 3u);
    const size_t n = std::stoul(s.args[2]);
    ASSERT_GE(n, 1u) << "a script without keys";
    ASSERT_GE(s.args.size(), 3 + n);
    script_tag = AccountTag(s.args[3]);
    EXPECT_FALSE(script_tag.empty()) << "a script key outside every account: " << s.args[3];
    for (size_t k = 0; k < n; ++k) {
      EXPECT_EQ(AccountTag(s.args[3 + k]), script_tag) << "KEYS of one invocation: " << s.args[3] << ", "
                                                         << s.args[3 + k];
    }
    auto it = ledger_scripts.find(s.args[1]);
    ++invocations[it != ledger_scripts.end() ? it->second : "other " + s.args[1]];
  }
  // Every ledger script was seen, and no other.
  for (const auto& [sha, name] : ledger_scripts) EXPECT_GT(invocations[name], 0) << name << " never ran";
  EXPECT_EQ(invocations.size(), ledger_scripts.size());
  EXPECT_GT(script_commands, 0);
}

}  // namespace
}  // namespace smsgw::testing
