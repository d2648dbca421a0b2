#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "http.h"
#include "process.h"
#include "redis/redis.h"
#include "rpc/clients.h"

namespace smsgw::testing {

// The spendable balance the ledger reports over gRPC, polling until the call succeeds (after a
// ledger restart its channel needs a moment to reconnect); -1 if it never does.
int64_t LedgerBalance(rpc::LedgerClient& ledger, int64_t account);

// Polls `done` every 20 ms until it returns true or `timeout` passes; returns its last answer.
bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(20));

// The servers scripts/test started: SMSGW_TEST_REDIS_PORT and SMSGW_TEST_PG_PORT (PostgreSQL
// with trust auth for user postgres on 127.0.0.1). A test binary run without them fails with a
// message saying to use scripts/test.
struct Servers {
  int redis_port = 0;
  int pg_port = 0;
  static Servers FromEnv();
};

// A whole smsgw on the test servers: a fresh PostgreSQL database (migrated), an emptied Redis,
// a generated config, and the built daemons and SMSC simulator as child processes on free
// ports. Tests share the Redis server, so ctest runs integration tests one at a time
// (RESOURCE_LOCK). On destruction everything is stopped; if the test failed, the daemons'
// logs are printed.
class Stack {
 public:
  struct Options {
    bool sim = true;
    bool ledger = true;
    bool report = true;
    bool sched = true;
    bool api = true;
    std::vector<std::string> sim_args;  // extra flags for smsgw-smsc-sim (faults)
    std::string extra_toml;             // appended to the generated config as is
    std::string api_toml;               // lines added to the generated [api] section
    std::string report_toml;            // lines added to the generated [report] section
    std::string ledger_toml;            // lines added to the generated [ledger] section
    int ledger_flush_interval_ms = 200;
    int ledger_sweep_interval_ms = 200;
    // A redis-server of this stack's own (AOF on, fsync every second, in the stack's folder),
    // for tests that kill or restart Redis; otherwise the shared test server is used.
    bool private_redis = false;
    std::string sched_toml;     // lines added to the generated [sched] section
    std::string operator_toml;  // lines added to the generated [[operators]] table
    bool sched_consumer = true;  // consumer = "test"; false: each instance names itself
    int sched_instances = 1;     // more run as "smsgw-sched-2", ... on the same config
    std::vector<std::string> daemon_env;  // "NAME=value" for the four daemons (NOTIFY_SOCKET, ...)
    bool metrics = true;                  // each daemon serves /metrics on a free port
    // Secrets, for tests that check none leaks. A Redis password makes the stack start a
    // redis-server of its own with requirepass (the shared one has none); a PostgreSQL password
    // goes into the DSN (the test server trusts loopback: it is carried, not checked); the SMPP
    // password is the operator's and the simulator's.
    std::string redis_password;
    std::string pg_password;
    std::string smpp_password = "secret";
  };

  Stack();
  explicit Stack(Options options);

  // Options for the ledger alone (with Redis and PostgreSQL): the ledger's own tests.
  static Options LedgerOnly();
  ~Stack();

  const std::string& config_path() const { return config_path_; }
  const std::string& dsn() const { return dsn_; }
  int api_port() const { return api_port_; }
  std::string ledger_address() const { return "127.0.0.1:" + std::to_string(ledger_port_); }
  // The port of a daemon's /metrics and /healthz ("smsgw-api", ...); 0 with metrics off.
  int metrics_port(const std::string& daemon) const;
  redis::Connection& redis() { return *redis_; }

  // The daemon or simulator process by name ("smsgw-sched"), or null if not started.
  Process* process(const std::string& name);
  // Starts (again) one of the daemons, as systemd's Restart= would, and waits until it is
  // ready. `env`: "NAME=value" entries added to its environment. "smsgw-ledger-2" is a second
  // smsgw-ledger on the same Redis and PostgreSQL, at ledger2_address().
  void Start(const std::string& name, const std::vector<std::string>& env = {});
  // The same without waiting: for a process expected to stop by itself.
  Process* Spawn(const std::string& name, const std::vector<std::string>& env = {});
  std::string ledger2_address() const { return "127.0.0.1:" + std::to_string(ledger2_port_); }
  int smsc_port() const { return smsc_port_; }
  void StopAll();

  // With Options::private_redis: the Redis port, its data folder (dir, appendonlydir/), and
  // kill -9 / start of the redis-server process (same port and folder).
  int redis_port() const { return redis_port_; }
  std::string redis_dir() const { return dir_ + "/redis"; }
  void KillRedis();
  void StartRedis();

  // POST /v1/messages of a plain text to one number; the new message's id ("" and a test
  // failure when it is not accepted).
  std::string SendText(const std::string& key, const std::string& to, const std::string& text);
  // Stops the SMSC simulator and reads one of the totals it logs when it stops: the number
  // before `what` ("submits", "resent", "duplicate parts", ...); -1 when it is not there.
  int64_t SimTotal(const std::string& what);

  // Makes Redis refuse every write (maxmemory 1, noeviction: "OOM command not allowed") or
  // take them again; the stack takes them again when it is destroyed, whatever happened.
  Status RedisRefusesWrites(bool refuse);

  // Runs the built smsctl with --config <this stack's config> and `args`.
  CommandResult Smsctl(const std::vector<std::string>& args);
  // smsctl account create + topup; returns {account id, api key}. Tests take it with std::tie,
  // not a structured binding: clang before 16 cannot capture a binding in a lambda (review F10).
  std::pair<int64_t, std::string> CreateFundedAccount(const std::string& name, int64_t price, int64_t topup);

  // The balance `smsctl balance` shows (-1 if the command fails).
  int64_t Balance(int64_t account);
  // A message's status as GET /v1/messages/{id} shows it ("http <code>" when not 200).
  std::string MessageStatus(const std::string& key, const std::string& id);

  // HTTP to the API with the key as bearer token (empty key: no Authorization header).
  HttpResponse Api(const std::string& method, const std::string& target, const std::string& body = "",
                   const std::string& key = "", Headers headers = {});

  // A message's hold as the ledger keeps it ("<state>:<cost>[:<expires at ms>]", lib/keys), or
  // "" when there is none.
  std::string Hold(int64_t account, const std::string& message_id);

  // Runs one SQL query on this stack's database and returns the first column of the first row
  // ("" when no row).
  std::string Sql(const std::string& query);

  static std::string BinaryPath(const std::string& name);

 private:
  void WriteConfig();
  void WaitReady(const std::string& name);
  void DumpLogs();

  Options options_;
  Servers servers_;
  std::string dir_;
  std::string config_path_;
  std::string dsn_;
  std::string db_name_;
  int api_port_ = 0, ledger_port_ = 0, report_port_ = 0, smsc_port_ = 0, ledger2_port_ = 0, redis_port_ = 0;
  std::map<std::string, int> metrics_ports_;
  std::unique_ptr<redis::Connection> redis_;
  std::vector<std::unique_ptr<Process>> processes_;
};

}  // namespace smsgw::testing
