#include "stack.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/time.h"
#include "keys/keys.h"

namespace smsgw::testing {
namespace {

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

bool PortOpen(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

int EnvInt(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    throw std::runtime_error(std::string(name) +
                             " is not set: run integration tests through scripts/test, which starts Redis and "
                             "PostgreSQL for them");
  }
  return std::atoi(v);
}

std::string AdminDsn(int pg_port, const std::string& db) {
  return "host=127.0.0.1 port=" + std::to_string(pg_port) + " user=postgres dbname=" + db;
}

}  // namespace

bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Servers Servers::FromEnv() { return {EnvInt("SMSGW_TEST_REDIS_PORT"), EnvInt("SMSGW_TEST_PG_PORT")}; }

std::string Stack::BinaryPath(const std::string& name) {
  if (name.rfind("smsgw-sched-", 0) == 0) return BinaryPath("smsgw-sched");
  static const std::map<std::string, std::string> kPaths = {
      {"smsgw-smsc-sim", "cmd/smsgw-smsc-sim/smsgw-smsc-sim"}, {"smsctl", "cmd/smsctl/smsctl"},
      {"smsgw-ledger", "daemons/ledger/smsgw-ledger"},         {"smsgw-report", "daemons/report/smsgw-report"},
      {"smsgw-sched", "daemons/sched/smsgw-sched"},            {"smsgw-api", "daemons/api/smsgw-api"}};
  return std::string(SMSGW_BUILD_DIR) + "/" + kPaths.at(name);
}

Stack::Stack() : Stack(Options{}) {}

Stack::Stack(Options options) : options_(std::move(options)), servers_(Servers::FromEnv()) {
  static std::atomic<int> counter{0};
  char tmpl[] = "/tmp/smsgw-test-XXXXXX";
  dir_ = mkdtemp(tmpl);
  db_name_ = "smsgw_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  {
    pqxx::connection admin(AdminDsn(servers_.pg_port, "postgres"));
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + db_name_);
    tx.exec("CREATE DATABASE " + db_name_);
  }
  dsn_ = AdminDsn(servers_.pg_port, db_name_);
  if (!options_.pg_password.empty()) dsn_ += " password=" + options_.pg_password;

  redis_port_ = servers_.redis_port;
  if (options_.private_redis || !options_.redis_password.empty()) {
    redis_port_ = FreePort();
    StartRedis();
  }
  config::RedisConfig rc;
  rc.port = redis_port_;
  rc.password = options_.redis_password;
  Result<std::unique_ptr<redis::Connection>> conn = redis::Connection::Open(rc);
  if (!conn.ok()) throw std::runtime_error(conn.status().ToString());
  redis_ = std::move(conn).value();
  if (Result<redis::Reply> r = redis_->Run({"FLUSHALL"}); !r.ok()) throw std::runtime_error(r.status().ToString());

  api_port_ = FreePort();
  ledger_port_ = FreePort();
  report_port_ = FreePort();
  smsc_port_ = FreePort();
  if (options_.metrics) {
    for (const char* d : {"smsgw-api", "smsgw-ledger", "smsgw-sched", "smsgw-report"}) {
      // Scheduler instances share one config, and one port cannot serve them all.
      if (std::string(d) == "smsgw-sched" && options_.sched_instances > 1) continue;
      metrics_ports_[d] = FreePort();
    }
  }
  ledger2_port_ = FreePort();
  WriteConfig();
  CommandResult migrated = Smsctl({"migrate"});
  if (migrated.exit_code != 0) throw std::runtime_error("smsctl migrate: " + migrated.err);

  if (options_.sim) Start("smsgw-smsc-sim");
  if (options_.ledger) Start("smsgw-ledger");
  if (options_.report) Start("smsgw-report");
  if (options_.sched) {
    Start("smsgw-sched");
    for (int i = 2; i <= options_.sched_instances; ++i) Start("smsgw-sched-" + std::to_string(i));
  }
  if (options_.api) Start("smsgw-api");
}

std::string Stack::SendText(const std::string& key, const std::string& to, const std::string& text) {
  HttpResponse r = Api("POST", "/v1/messages", nlohmann::json{{"to", to}, {"text", text}}.dump(), key);
  EXPECT_EQ(r.status, 202) << r.body;
  return r.status == 202 ? r.Json().at("id").get<std::string>() : "";
}

int64_t Stack::SimTotal(const std::string& what) {
  Process* sim = process("smsgw-smsc-sim");
  if (sim == nullptr) return -1;
  sim->Stop();
  // Only its closing lines ("smsc-sim: 1 binds, 8 submits, ..."), not the per-second ones.
  const std::regex total("(\\d+) " + what + "\\b");
  std::istringstream log(sim->Log());
  for (std::string line; std::getline(log, line);) {
    std::smatch m;
    if (line.find("smsc-sim: ") != std::string::npos && std::regex_search(line, m, total)) return std::stoll(m[1].str());
  }
  return -1;
}

Status Stack::RedisRefusesWrites(bool refuse) {
  if (refuse) {
    if (Result<redis::Reply> r = redis_->Run({"CONFIG", "SET", "maxmemory-policy", "noeviction"}); !r.ok()) {
      return r.status();
    }
  }
  Result<redis::Reply> r = redis_->Run({"CONFIG", "SET", "maxmemory", refuse ? "1" : "0"});
  return r.ok() ? Status::Ok() : r.status();
}

Stack::~Stack() {
  (void)RedisRefusesWrites(false);
  if (::testing::Test::HasFailure()) DumpLogs();
  StopAll();
  try {
    pqxx::connection admin(AdminDsn(servers_.pg_port, "postgres"));
    pqxx::nontransaction(admin).exec("DROP DATABASE IF EXISTS " + db_name_ + " WITH (FORCE)");
  } catch (const std::exception&) {
    // Left for the next run's DROP ... IF EXISTS; the servers are temporary anyway.
  }
}

Stack::Options Stack::LedgerOnly() {
  Options o;
  o.sim = o.report = o.sched = o.api = false;
  return o;
}

int64_t LedgerBalance(rpc::LedgerClient& ledger, int64_t account) {
  int64_t balance = -1;
  EXPECT_TRUE(WaitUntil([&] {
    Result<v1::BalanceReply> r = ledger.GetBalance(account);
    if (r.ok()) balance = r->balance();
    return r.ok();
  }));
  return balance;
}

int Stack::metrics_port(const std::string& daemon) const {
  auto it = metrics_ports_.find(daemon);
  return it == metrics_ports_.end() ? 0 : it->second;
}

void Stack::WriteConfig() {
  config_path_ = dir_ + "/smsgw.toml";
  std::ofstream out(config_path_);
  auto metrics = [this](const char* daemon) {
    const int port = metrics_port(daemon);
    return port == 0 ? std::string() : "metrics_listen = \"127.0.0.1:" + std::to_string(port) + "\"\n";
  };
  out << "[redis]\nhost = \"127.0.0.1\"\nport = " << redis_port_ << "\n"
      << (options_.redis_password.empty() ? "" : "password = \"" + options_.redis_password + "\"\n") << "\n"
      << "[postgres]\ndsn = \"" << dsn_ << "\"\n\n"
      << "[api]\nlisten = \"127.0.0.1:" << api_port_ << "\"\nledger_address = \"" << ledger_address()
      << "\"\nreport_address = \"127.0.0.1:" << report_port_ << "\"\n" << metrics("smsgw-api") << options_.api_toml << "\n"
      << "[ledger]\nlisten = \"" << ledger_address() << "\"\nflush_interval_ms = " << options_.ledger_flush_interval_ms
      << "\nsweep_interval_ms = " << options_.ledger_sweep_interval_ms << "\n" << metrics("smsgw-ledger") << options_.ledger_toml << "\n"
      << "[sched]\nledger_address = \"" << ledger_address() << "\"\n"
      << (options_.sched_consumer ? "consumer = \"test\"\n" : "") << options_.sched_toml << metrics("smsgw-sched") << "\n"
      << "[report]\nlisten = \"127.0.0.1:" << report_port_ << "\"\nbatch_max_ms = 50\n" << options_.report_toml
      << metrics("smsgw-report") << "\n"
      << "[[operators]]\nname = \"sim\"\nhost = \"127.0.0.1\"\nport = " << smsc_port_
      << "\nsystem_id = \"smsgw\"\npassword = \"" << options_.smpp_password << "\"\nreconnect_max_s = 1\n"
      << options_.operator_toml << "\n"
      << "[log]\nlevel = \"debug\"\n"
      << options_.extra_toml;
}

void Stack::Start(const std::string& name, const std::vector<std::string>& env) {
  Spawn(name, env);
  WaitReady(name);
}

Process* Stack::Spawn(const std::string& name, const std::vector<std::string>& env) {
  for (auto it = processes_.begin(); it != processes_.end(); ++it) {
    if ((*it)->name() == name) {
      processes_.erase(it);
      break;
    }
  }
  const bool second_ledger = name == "smsgw-ledger-2";
  std::vector<std::string> argv{BinaryPath(second_ledger ? "smsgw-ledger" : name)};
  if (name == "smsgw-smsc-sim") {
    argv.insert(argv.end(), {"--listen", "127.0.0.1:" + std::to_string(smsc_port_), "--system-id", "smsgw",
                             "--password", options_.smpp_password, "--receipt-delay-ms", "100"});
    argv.insert(argv.end(), options_.sim_args.begin(), options_.sim_args.end());
  } else if (second_ledger) {
    // The same config but for where it listens.
    const std::string path = dir_ + "/smsgw-ledger-2.toml";
    std::ifstream in(config_path_);
    std::stringstream text;
    text << in.rdbuf();
    std::string config = text.str();
    const std::string from = "listen = \"" + ledger_address() + "\"";
    config.replace(config.find(from), from.size(), "listen = \"" + ledger2_address() + "\"");
    // Nor where the first one serves /metrics: the second serves none.
    const int metrics = metrics_port("smsgw-ledger");
    const std::string metrics_line = "metrics_listen = \"127.0.0.1:" + std::to_string(metrics) + "\"\n";
    if (const size_t at = config.find(metrics_line); metrics != 0 && at != std::string::npos) {
      config.erase(at, metrics_line.size());
    }
    std::ofstream(path) << config;
    argv.insert(argv.end(), {"--config", path});
  } else {
    argv.insert(argv.end(), {"--config", config_path_});
  }
  // The simulator gets none of the daemons' environment (NOTIFY_SOCKET, fault points).
  std::vector<std::string> all_env = name == "smsgw-smsc-sim" ? std::vector<std::string>{} : options_.daemon_env;
  all_env.insert(all_env.end(), env.begin(), env.end());
  processes_.push_back(std::make_unique<Process>(name, argv, dir_ + "/" + name + ".log", all_env));
  return processes_.back().get();
}

void Stack::StartRedis() {
  std::filesystem::create_directories(redis_dir());
  std::vector<std::string> argv{"/usr/bin/redis-server", "--port", std::to_string(redis_port_), "--bind", "127.0.0.1",
                                "--dir", redis_dir(), "--appendonly", "yes", "--appendfsync", "everysec", "--save",
                                "", "--daemonize", "no"};
  if (!options_.redis_password.empty()) argv.insert(argv.end(), {"--requirepass", options_.redis_password});
  auto redis = std::make_unique<Process>("redis-server", argv, dir_ + "/redis-server.log");
  Process* started = redis.get();
  // First in the list, so that StopAll stops it last.
  for (auto it = processes_.begin(); it != processes_.end(); ++it) {
    if ((*it)->name() == "redis-server") {
      processes_.erase(it);
      break;
    }
  }
  processes_.insert(processes_.begin(), std::move(redis));
  config::RedisConfig rc;
  rc.port = redis_port_;
  rc.password = options_.redis_password;
  const bool ready = WaitUntil([&] {
    if (!started->Running()) return true;
    Result<std::unique_ptr<redis::Connection>> c = redis::Connection::Open(rc);
    return c.ok() && (*c)->Run({"PING"}).ok();  // LOADING is an error until the AOF is read
  });
  if (!ready || !started->Running()) throw std::runtime_error("redis-server did not start:\n" + started->Log());
}

void Stack::KillRedis() {
  if (Process* p = process("redis-server")) p->Kill();
}

void Stack::WaitReady(const std::string& name) {
  Process* p = process(name);
  int port = 0;
  if (name == "smsgw-smsc-sim") port = smsc_port_;
  if (name == "smsgw-ledger") port = ledger_port_;
  if (name == "smsgw-ledger-2") port = ledger2_port_;
  if (name == "smsgw-report") port = report_port_;
  if (name == "smsgw-api") port = api_port_;
  const int health_port = metrics_port(name);
  const bool ready = WaitUntil([&] {
    if (!p->Running()) return true;  // reported below
    // /healthz turns 200 when the daemon tells systemd READY=1: it serves.
    if (health_port != 0) {
      try {
        return Http(health_port, "GET", "/healthz").status == 200;
      } catch (const std::exception&) {
        return false;
      }
    }
    if (name.rfind("smsgw-sched", 0) == 0) return p->Log().find("scheduler running") != std::string::npos;
    return PortOpen(port);
  });
  if (!ready || !p->Running()) {
    throw std::runtime_error(name + " did not start; its log:\n" + p->Log());
  }
}

Process* Stack::process(const std::string& name) {
  for (auto& p : processes_) {
    if (p->name() == name) return p.get();
  }
  return nullptr;
}

void Stack::StopAll() {
  // Front door first, the simulator last, so in-flight work can finish on the way down.
  for (auto it = processes_.rbegin(); it != processes_.rend(); ++it) (*it)->Stop();
  processes_.clear();
}

void Stack::DumpLogs() {
  for (auto& p : processes_) {
    std::cerr << "----- " << p->name() << " log -----\n" << p->Log() << "\n";
  }
}

CommandResult Stack::Smsctl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{BinaryPath("smsctl"), "--config", config_path_};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

std::pair<int64_t, std::string> Stack::CreateFundedAccount(const std::string& name, int64_t price, int64_t topup) {
  CommandResult created = Smsctl({"account", "create", "--name", name, "--price", std::to_string(price), "-o", "json"});
  if (created.exit_code != 0) throw std::runtime_error("account create: " + created.err);
  nlohmann::json j = nlohmann::json::parse(created.out);
  const int64_t id = j.at("id").get<int64_t>();
  if (topup > 0) {
    CommandResult t = Smsctl({"topup", std::to_string(id), std::to_string(topup), "--ref", "initial-" + name});
    if (t.exit_code != 0) throw std::runtime_error("topup: " + t.err);
  }
  return {id, j.at("api_key").get<std::string>()};
}

int64_t Stack::Balance(int64_t account) {
  CommandResult r = Smsctl({"balance", std::to_string(account), "--output", "json"});
  if (r.exit_code != 0) return -1;
  return nlohmann::json::parse(r.out).at("balance").get<int64_t>();
}

std::string Stack::MessageStatus(const std::string& key, const std::string& id) {
  HttpResponse r = Api("GET", "/v1/messages/" + id, "", key);
  if (r.status != 200) return "http " + std::to_string(r.status);
  return r.Json().value("status", "");
}

HttpResponse Stack::Api(const std::string& method, const std::string& target, const std::string& body,
                        const std::string& key, Headers headers) {
  if (!key.empty()) headers.emplace_back("Authorization", "Bearer " + key);
  if (!body.empty()) {
    bool has_type = false;
    for (const auto& [name, value] : headers) has_type = has_type || name == "Content-Type";
    if (!has_type) headers.emplace_back("Content-Type", "application/json");
  }
  return Http(api_port_, method, target, body, headers);
}

std::string Stack::Hold(int64_t account, const std::string& message_id) {
  Result<config::Config> config = config::LoadFile(config_path_);
  if (!config.ok()) throw std::runtime_error(config.status().ToString());
  Result<std::vector<redis::Reply>> found =
      redis_->Pipeline(keys::HoldReads(account, {message_id}, NowMs(), config->ledger.hold_retention_s * 1000));
  if (!found.ok()) throw std::runtime_error(found.status().ToString());
  for (const redis::Reply& r : *found) {
    if (r.elements.size() == 1 && r.elements[0].type == redis::Reply::Type::kString) return r.elements[0].str;
  }
  return "";
}

std::string Stack::Sql(const std::string& query) {
  pqxx::connection conn(dsn_);
  pqxx::nontransaction tx(conn);
  pqxx::result r = tx.exec(query);
  if (r.empty() || r[0][0].is_null()) return "";
  return r[0][0].as<std::string>();
}

}  // namespace smsgw::testing
