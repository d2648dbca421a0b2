// smsgw-api protects itself and answers within bounds, through real HTTP and sockets: a
// per-account rate limit (429 with Retry-After), limits on body, header size, batch size and
// connections, read and idle timeouts (a slow client is cut off while others are served), a
// revoked key refused within a second (smsgw:auth), 503 rather than 401 while Redis is being
// reloaded (review M12), and /readyz that checks Redis, the ledger and smsgw-report (review m16).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <tuple>

#include "auth/api_key.h"
#include "keys/keys.h"
#include "stack.h"

namespace smsgw::testing {
namespace {

using namespace std::chrono_literals;

// A raw TCP connection to the API, for what an HTTP client library hides: partial requests,
// slow writes, and seeing the server close.
class SocketClient {
 public:
  explicit SocketClient(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~SocketClient() { close(fd_); }
  SocketClient(const SocketClient&) = delete;
  SocketClient& operator=(const SocketClient&) = delete;

  static bool CanConnect(int port) { return SocketClient(port).connected_; }

  bool Send(const std::string& data) {
    return connected_ && ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
  }
  // Reads what arrives until the server closes or `timeout` passes.
  std::string ReadUntilClosedOr(std::chrono::milliseconds timeout) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (poll(&p, 1, static_cast<int>(std::max<int64_t>(1, left.count()))) <= 0) break;
      char buf[4096];
      const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      out.append(buf, static_cast<size_t>(n));
      if (out.find("\r\n\r\n") != std::string::npos && out.find("Content-Length: 0") == std::string::npos &&
          out.rfind('}') == out.size() - 1) {
        break;  // a whole JSON answer
      }
    }
    return out;
  }
  // True once the server has closed the connection (reading what it still sends), within `timeout`.
  bool ClosedWithin(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!closed_ && std::chrono::steady_clock::now() < deadline) ReadUntilClosedOr(50ms);
    return closed_;
  }

 private:
  int fd_;
  bool connected_ = false;
  bool closed_ = false;
};

class ApiProtectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Stack::Options options;
    options.sched = false;
    options.api_toml =
        "max_body_bytes = 4096\nmax_header_bytes = 2048\nread_timeout_ms = 1000\nidle_timeout_ms = 3000\n"
        "max_connections = 64\nauth_cache_ms = 600000\n";
    stack_ = new Stack(options);
    // The ledger sets it after its warm-up (contract 3); the test makes sure it is there.
    (void)stack_->redis().Run({"SET", keys::kLedgerReady, "1"});
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }
  static Stack* stack_;
};
Stack* ApiProtectionTest::stack_ = nullptr;

TEST_F(ApiProtectionTest, AnAccountOverItsRateIsTold429WithRetryAfter) {
  int64_t slow = 0;
  std::string slow_key;
  std::tie(slow, slow_key) = stack_->CreateFundedAccount("rate-slow", 10, 100);
  int64_t other = 0;
  std::string other_key;
  std::tie(other, other_key) = stack_->CreateFundedAccount("rate-other", 10, 100);
  // Per-account limits live in the account hash (contract 1: smsctl account set-rate-limit).
  ASSERT_TRUE(stack_->redis().Run({"HSET", keys::Account(slow), "rate_rps", "1", "rate_burst", "3"}).ok());
  int ok = 0;
  HttpResponse limited;
  for (int i = 0; i < 10 && limited.status != 429; ++i) {
    HttpResponse r = stack_->Api("GET", "/v1/balance", "", slow_key);
    if (r.status == 200) ++ok;
    if (r.status == 429) limited = r;
  }
  EXPECT_GE(ok, 3);  // the burst
  ASSERT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(limited.Json().at("code"), "rate_limited");
  EXPECT_GE(std::stoi(limited.Header("retry-after")), 1);
  // Other accounts are not affected.
  for (int i = 0; i < 10; ++i) EXPECT_EQ(stack_->Api("GET", "/v1/balance", "", other_key).status, 200);
  // A token comes back after about a second.
  EXPECT_TRUE(WaitUntil([&] { return stack_->Api("GET", "/v1/balance", "", slow_key).status == 200; }, 5s));
}

TEST_F(ApiProtectionTest, BodyHeaderAndBatchLimitsAreAnswered) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_->CreateFundedAccount("limits", 10, 100);
  HttpResponse big = stack_->Api("POST", "/v1/messages", R"({"to":"+989121234567","text":")" + std::string(5000, 'x') + "\"}", key);
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.Json().at("code"), "payload_too_large");
  HttpResponse header = stack_->Api("GET", "/v1/balance", "", key, {{"X-Padding", std::string(3000, 'p')}});
  EXPECT_EQ(header.status, 431);
  EXPECT_EQ(header.Json().at("code"), "headers_too_large");
  std::string many = R"({"to":[)";
  for (int i = 0; i < 1001; ++i) many += std::string(i ? "," : "") + "\"1\"";
  // Over the body limit here too, which is the first limit a large batch meets.
  EXPECT_EQ(stack_->Api("POST", "/v1/messages/batch", many + R"(],"text":"x"})", key).status, 413);
  EXPECT_EQ(stack_->Balance(account), 100);
}

TEST_F(ApiProtectionTest, ASlowClientIsCutOffWhileOthersAreServed) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_->CreateFundedAccount("slowloris", 10, 100);
  SocketClient slow(stack_->api_port());
  ASSERT_TRUE(slow.Send("GET /healthz HTTP/1.1\r\n"));
  const auto start = std::chrono::steady_clock::now();
  bool cut = false;
  // One header byte every 200 ms: never a whole request within read_timeout_ms (1 s).
  for (int i = 0; i < 50 && !cut; ++i) {
    EXPECT_EQ(stack_->Api("GET", "/v1/balance", "", key).status, 200);  // others are served meanwhile
    cut = !slow.Send("X") || slow.ClosedWithin(200ms);
  }
  EXPECT_TRUE(cut) << "the slow client was never cut off";
  EXPECT_LT(std::chrono::steady_clock::now() - start, 8s);

  // An idle keep-alive connection goes after idle_timeout_ms (3 s), not before read_timeout_ms.
  SocketClient idle(stack_->api_port());
  ASSERT_TRUE(idle.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_NE(idle.ReadUntilClosedOr(2s).find("200 OK"), std::string::npos);
  EXPECT_TRUE(idle.ClosedWithin(10s));
}

TEST_F(ApiProtectionTest, ConnectionsBeyondTheLimitAreRefused) {
  // Open connections, each kept alive after one answer, until one is refused.
  std::vector<std::unique_ptr<SocketClient>> held;
  std::string refused;
  while (held.size() < 80 && refused.empty()) {
    auto c = std::make_unique<SocketClient>(stack_->api_port());
    ASSERT_TRUE(c->Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::string answer = c->ReadUntilClosedOr(5s);
    if (answer.find("200 OK") == std::string::npos) refused = answer;
    held.push_back(std::move(c));
  }
  EXPECT_LE(held.size(), 65u);  // max_connections = 64
  EXPECT_NE(refused.find("503"), std::string::npos) << refused;
  EXPECT_NE(refused.find("Retry-After"), std::string::npos) << refused;
  held.clear();
  EXPECT_TRUE(WaitUntil([&] { return stack_->Api("GET", "/healthz").status == 200; }));
}

TEST_F(ApiProtectionTest, ARevokedKeyOrDisabledAccountIsRefusedWithinASecond) {
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack_->CreateFundedAccount("revoked", 10, 100);
  int64_t other = 0;
  std::string other_key;
  std::tie(other, other_key) = stack_->CreateFundedAccount("disabled", 10, 100);
  ASSERT_EQ(stack_->Api("GET", "/v1/balance", "", key).status, 200);  // now cached (for 10 minutes)
  ASSERT_EQ(stack_->Api("GET", "/v1/balance", "", other_key).status, 200);
  // What smsgw-ledger does on `smsctl key revoke` and `account disable` (contract 2).
  const std::string hash = auth::HashApiKey(key);
  ASSERT_TRUE(stack_->redis().Run({"DEL", keys::ApiKey(hash)}).ok());
  ASSERT_TRUE(stack_->redis().Run({"PUBLISH", keys::kAuthChannel, "key " + hash}).ok());
  ASSERT_TRUE(stack_->redis().Run({"HSET", keys::Account(other), "status", "disabled"}).ok());
  ASSERT_TRUE(stack_->redis().Run({"PUBLISH", keys::kAuthChannel, "account " + std::to_string(other)}).ok());
  EXPECT_TRUE(WaitUntil([&] { return stack_->Api("GET", "/v1/balance", "", key).status == 401; }, 1s));
  EXPECT_TRUE(WaitUntil([&] { return stack_->Api("GET", "/v1/balance", "", other_key).status == 403; }, 1s));
}

TEST_F(ApiProtectionTest, AnUnknownKeyWhileRedisIsBeingReloadedIs503Not401) {
  const std::string unknown = "0123456789abcdef.0123456789abcdef0123456789abcdef";
  EXPECT_EQ(stack_->Api("GET", "/v1/balance", "", unknown).status, 401);
  ASSERT_TRUE(stack_->redis().Run({"DEL", keys::kLedgerReady}).ok());  // Redis emptied: the ledger is rebuilding it
  HttpResponse r = stack_->Api("GET", "/v1/balance", "", unknown);
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.Header("retry-after"), "1");
  ASSERT_TRUE(stack_->redis().Run({"SET", keys::kLedgerReady, "1"}).ok());
  EXPECT_EQ(stack_->Api("GET", "/v1/balance", "", unknown).status, 401);
}

TEST(ApiReadinessTest, ReadyzChecksRedisTheLedgerAndTheReportDaemon) {
  Stack::Options options;
  options.sched = false;
  options.api_toml = "report_grace_ms = 500\nmax_express_backlog = 5\n";
  Stack stack(options);
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("ready", 10, 1000000);  // the polls below send
  ASSERT_TRUE(stack.redis().Run({"SET", keys::kLedgerReady, "1"}).ok());
  auto ready = [&] { return stack.Api("GET", "/readyz").status == 200; };
  ASSERT_TRUE(WaitUntil(ready));
  HttpResponse ok = stack.Api("GET", "/readyz");
  EXPECT_EQ(ok.Json().at("checks").at("ledger"), "up");

  stack.process("smsgw-report")->Stop();
  ASSERT_TRUE(WaitUntil([&] { return !ready(); }));
  HttpResponse down = stack.Api("GET", "/readyz");
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(down.Header("retry-after"), "1");
  EXPECT_EQ(down.Json().at("checks").at("report"), "down");
  // Down for longer than report_grace_ms: sends are refused too, with Retry-After.
  EXPECT_TRUE(WaitUntil([&] {
    return stack.Api("POST", "/v1/messages", R"({"to":"+989121234567","text":"x"})", key).status == 503;
  }));
  stack.Start("smsgw-report");
  ASSERT_TRUE(WaitUntil(ready));
  EXPECT_TRUE(WaitUntil([&] {
    return stack.Api("POST", "/v1/messages", R"({"to":"+989121234567","text":"x"})", key).status == 202;
  }));

  stack.process("smsgw-ledger")->Stop();
  ASSERT_TRUE(WaitUntil([&] { return !ready(); }));
  EXPECT_EQ(stack.Api("GET", "/readyz").Json().at("checks").at("ledger"), "down");
  // Redis not loaded, while the ledger is down (a running ledger reloads Redis and sets the
  // mark again at once).
  ASSERT_TRUE(stack.redis().Run({"DEL", keys::kLedgerReady}).ok());
  EXPECT_TRUE(WaitUntil([&] {
    HttpResponse r = stack.Api("GET", "/readyz");
    return r.status == 503 && r.Json().at("checks").value("redis", "") == "not loaded";
  }));
  stack.Start("smsgw-ledger");  // it reloads Redis and sets the mark
  ASSERT_TRUE(WaitUntil(ready));

  // A queue past its depth: express sends are refused until it drains.
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(stack.redis().Run({"XADD", keys::kExpressQueue, "*", "e", "x"}).ok());
  EXPECT_TRUE(WaitUntil([&] {
    HttpResponse r = stack.Api("POST", "/v1/messages", R"({"to":"+989121234567","text":"x"})", key);
    return r.status == 503 && r.Header("retry-after") == "1";
  }));
  ASSERT_TRUE(stack.redis().Run({"DEL", keys::kExpressQueue}).ok());
  EXPECT_TRUE(WaitUntil([&] {
    return stack.Api("POST", "/v1/messages", R"({"to":"+989121234567","text":"x"})", key).status == 202;
  }));
}

TEST(ApiShutdownTest, SigtermFinishesRequestsInFlightAndRefusesNewOnes) {
  Stack::Options options;
  options.sched = false;
  Stack stack(options);
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("draining", 10, 100);
  const std::string body = R"({"to":"+989121234567","text":"in flight"})";
  SocketClient in_flight(stack.api_port());
  ASSERT_TRUE(in_flight.Send("POST /v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key +
                             "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                             "\r\n\r\n" + body.substr(0, 10)));
  SocketClient idle(stack.api_port());
  ASSERT_TRUE(idle.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_NE(idle.ReadUntilClosedOr(2s).find("200 OK"), std::string::npos);

  Process* api = stack.process("smsgw-api");
  ASSERT_EQ(kill(api->pid(), SIGTERM), 0);
  // New connections are refused, and the idle one is closed ...
  EXPECT_TRUE(WaitUntil([&] { return !SocketClient::CanConnect(stack.api_port()); }, 10s));
  EXPECT_TRUE(idle.ClosedWithin(10s));
  // ... while the request in flight is finished and answered.
  ASSERT_TRUE(in_flight.Send(body.substr(10)));
  const std::string answer = in_flight.ReadUntilClosedOr(10s);
  EXPECT_NE(answer.find("HTTP/1.1 202"), std::string::npos) << answer;
  EXPECT_EQ(api->WaitExit(20000), 0);
  EXPECT_EQ(stack.Balance(account), 90);
}

}  // namespace
}  // namespace smsgw::testing
