// Secrets never reach a log or a metric (issue 11 item 5, docs/security.md). A whole stack runs
// with every secret smsgw holds: a Redis password (requirepass), a PostgreSQL password in the
// DSN, an SMPP password, the accounts' webhook secrets and API keys. Messages are sent with a
// signed callback, through Kannel's sendsms with the key's secret as password in the URL, and
// with wrong secrets (a failed bearer and a failed Kannel login); every daemon logs at debug.
// Then every daemon's log and every /metrics page is searched for each secret.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <tuple>

#include "stack.h"
#include "webhook_receiver.h"

namespace smsgw::testing {
namespace {

constexpr auto kDeadline = std::chrono::seconds(60);
const char* const kDaemons[] = {"smsgw-api", "smsgw-ledger", "smsgw-sched", "smsgw-report"};

std::string Escaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') {
      out += c;
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(c));
      out += hex;
    }
  }
  return out;
}

TEST(SecuritySecretsTest, NoSecretReachesALogOrAMetric) {
  WebhookReceiver receiver([](int n, const ReceivedRequest&) { return n == 0 ? 500 : 200; });
  Stack::Options options;
  options.redis_password = "RedisPw-7f3kQz91xv";
  options.pg_password = "PgPw-m2Lr8sT4wq";
  options.smpp_password = "Sm9Pq4Zx";  // SMPP 3.4: at most 8 octets
  options.report_toml = "webhook_allow_private = true\nwebhook_retry_base_ms = 200\n";
  Stack stack(options);

  int64_t account = 0;  // not a structured binding: lambdas capture it (clang < 16)
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("secrets", 10, 1000);
  int64_t other = 0;
  std::string other_key;
  std::tie(other, other_key) = stack.CreateFundedAccount("secrets-kannel", 10, 1000);
  CommandResult rotated = stack.Smsctl({"account", "webhook-secret", std::to_string(account), "--rotate"});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  const std::string webhook_secret = stack.Sql("SELECT webhook_secret FROM accounts WHERE id = " + std::to_string(account));
  ASSERT_GE(webhook_secret.size(), 32u);
  const std::string other_webhook_secret =
      stack.Sql("SELECT webhook_secret FROM accounts WHERE id = " + std::to_string(other));
  const size_t dot = other_key.find('.');
  ASSERT_NE(dot, std::string::npos);
  const std::string kannel_user = other_key.substr(0, dot);
  const std::string kannel_pass = other_key.substr(dot + 1);
  const std::string wrong_secret = "WrongSecret-c8Hn2Vb5";
  const std::string wrong_kannel_pass = "WrongKannel-p4Xe9Jd";

  // A message with a signed callback (its first POST answered 500, so it is retried).
  const nlohmann::json body = {{"to", "+989121234567"}, {"text", "secret test"}, {"callback_url", receiver.Url("/hook")}};
  HttpResponse sent = stack.Api("POST", "/v1/messages", body.dump(), key);
  ASSERT_EQ(sent.status, 202) << sent.body;
  const std::string id = sent.Json().at("id");
  // Kannel's sendsms with the key's secret as password, and a dlr-url.
  HttpResponse kannel = stack.Api("GET", "/cgi-bin/sendsms?username=" + kannel_user + "&password=" +
                                             Escaped(kannel_pass) + "&to=989121234568&text=kannel&dlr-mask=1&dlr-url=" +
                                             Escaped(receiver.Url("/dlr?type=%d")));
  ASSERT_EQ(kannel.status, 202) << kannel.body;
  // Failed logins: a wrong secret for a real key id, bearer and Kannel.
  EXPECT_EQ(stack.Api("GET", "/v1/balance", "", kannel_user + "." + wrong_secret).status, 401);
  EXPECT_EQ(stack.Api("GET", "/cgi-bin/sendsms?username=" + kannel_user + "&password=" + wrong_kannel_pass +
                                 "&to=989121234568&text=x")
                .status,
            403);

  ASSERT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, id) == "delivered"; }, kDeadline));
  // Both status changes reached the receiver, signed, and the Kannel receipt's GET came too.
  ASSERT_TRUE(WaitUntil(
      [&] {
        int posts = 0, gets = 0;
        for (const ReceivedRequest& r : receiver.Requests()) {
          posts += r.method == "POST" && r.answered == 200 ? 1 : 0;
          gets += r.method == "GET" ? 1 : 0;
        }
        return posts >= 2 && gets >= 1;
      },
      kDeadline));

  const std::map<std::string, std::string> secrets = {
      {"Redis password", options.redis_password},
      {"PostgreSQL password", options.pg_password},
      {"SMPP password", options.smpp_password},
      {"webhook secret", webhook_secret},
      {"other webhook secret", other_webhook_secret},
      {"API key secret", key.substr(key.find('.') + 1)},
      {"Kannel password", kannel_pass},
      {"wrong bearer secret", wrong_secret},
      {"wrong Kannel password", wrong_kannel_pass},
  };
  // Each secret was in play: the config or the database held it, the requests carried it.
  std::ifstream config_file(stack.config_path());
  const std::string config((std::istreambuf_iterator<char>(config_file)), std::istreambuf_iterator<char>());
  for (const char* what : {"Redis password", "PostgreSQL password", "SMPP password"}) {
    EXPECT_NE(config.find(secrets.at(what)), std::string::npos) << what;
  }
  for (const char* daemon : kDaemons) {
    const std::string log = stack.process(daemon)->Log();
    // The logs are the debug ones and say what happened, so a secret had its chances.
    ASSERT_GT(log.size(), 200u) << daemon;
    const std::string page = Http(stack.metrics_port(daemon), "GET", "/metrics").body;
    ASSERT_NE(page.find("# TYPE"), std::string::npos) << daemon << ": " << page;
    for (const auto& [what, secret] : secrets) {
      EXPECT_EQ(log.find(secret), std::string::npos) << daemon << "'s log holds the " << what << ":\n" << log;
      EXPECT_EQ(page.find(secret), std::string::npos) << daemon << "'s /metrics holds the " << what;
    }
  }
  // The requests that carried them were logged (without them).
  const std::string api_log = stack.process("smsgw-api")->Log();
  if (std::getenv("SMSGW_SHOW_LOGS") != nullptr) std::cout << api_log << stack.process("smsgw-sched")->Log();
  EXPECT_NE(api_log.find("/cgi-bin/sendsms"), std::string::npos);
  EXPECT_NE(api_log.find("401"), std::string::npos);
}

}  // namespace
}  // namespace smsgw::testing
