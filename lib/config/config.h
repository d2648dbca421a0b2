#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace smsgw::config {

// Plain structs with the defaults a local install wants; every field is a key of
// smsgw.toml(5). Keys marked "required" have no default and must be written out.

struct RedisConfig {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string password;
  int timeout_ms = 2000;
  int pool_size = 8;
};

struct PostgresConfig {
  std::string dsn;  // required: a libpq connection string
  int pool_size = 4;
};

struct ApiConfig {
  std::string listen = "127.0.0.1:8080";
  std::string ledger_address = "127.0.0.1:7001";
  std::string report_address = "127.0.0.1:7002";
  std::string default_region = "IR";  // for numbers written without a country code
  int threads = 2;
  int64_t max_body_bytes = 1 << 20;
  int auth_cache_ms = 5000;
  int64_t hold_ttl_s = 86400;  // how long a debit waits for the scheduler before it expires
  // Coalescing of sends into one ledger call and one Redis pipeline (api/send_batcher.h).
  int send_workers = 4;           // batches in flight at once
  int coalesce_wait_us = 1000;    // the most a send waits for others to join its batch
  int coalesce_max_items = 2000;  // messages per batch
  int max_queued_messages = 50000;  // waiting for a batch; beyond it sends get 503 at once
  int ledger_timeout_ms = 2000;   // a ledger call slower than this is answered 503
  std::string metrics_listen;
};

struct LedgerConfig {
  std::string listen = "127.0.0.1:7001";
  int flush_interval_ms = 1000;
  int sweep_interval_ms = 1000;
  std::string metrics_listen;
  // How long a hold is kept after its debit (what makes a repeated Debit, Capture or Refund of
  // a message id a no-op); at least 7 s, and api.hold_ttl_s must end a seventh of it earlier.
  int64_t hold_retention_s = 7 * 86400;
  int check_interval_s = 300;  // how often Redis is compared with PostgreSQL in full
};

struct SchedConfig {
  std::string ledger_address = "127.0.0.1:7001";
  std::string consumer;  // consumer name in the group; empty: host name and PID
  int express_sla_ms = 5000;
  double normal_min_share = 0.05;
  int max_streams_per_round = 64;
  int quantum = 10;
  int max_attempts = 5;
  int receipt_ttl_s = 172800;  // how long an operator id is remembered for its receipt
  std::string metrics_listen;
};

struct ReportConfig {
  std::string listen = "127.0.0.1:7002";
  int batch_max_ms = 200;
  int batch_max_rows = 5000;
  int retention_days = 90;
  std::string consumer;
  std::string metrics_listen;
};

struct OperatorConfig {
  std::string name;       // required
  std::string host;       // required
  int port = 0;           // required
  std::string system_id;  // required
  std::string password;   // required
  std::string system_type;
  int window = 10;
  int tps = 100;
  std::vector<std::string> prefixes;  // empty: every destination
  int enquire_link_s = 30;
  int reconnect_max_s = 30;
};

struct LogConfig {
  std::string level = "info";
};

struct Config {
  RedisConfig redis;
  PostgresConfig postgres;
  ApiConfig api;
  LedgerConfig ledger;
  SchedConfig sched;
  ReportConfig report;
  std::vector<OperatorConfig> operators;
  LogConfig log;
};

// Reads and checks a config file. Errors name the file and the key ("postgres.dsn: required
// key is missing", "api.lisen: unknown key"), so a daemon refuses to start with a useful line.
Result<Config> LoadFile(const std::string& path);

// Same, from TOML text; `origin` names it in errors.
Result<Config> LoadString(const std::string& text, const std::string& origin);

// --config, else $SMSGW_CONFIG, else /etc/smsgw/smsgw.toml.
std::string ResolvePath(const std::string& flag_value);

}  // namespace smsgw::config
