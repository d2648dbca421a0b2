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
  // Protection (api/server.h, api/app.h, api/dependency_monitor.h).
  int64_t max_header_bytes = 8192;
  int64_t max_connections = 10000;
  int read_timeout_ms = 10000;     // a request's first byte to its last
  int idle_timeout_ms = 60000;     // a keep-alive connection between requests
  int request_timeout_ms = 5000;   // every request is answered by then (503 at worst)
  int shutdown_grace_ms = 10000;   // SIGTERM: how long requests in flight may take
  int64_t rate_limit_rps = 1000;   // per account and instance; the account hash may say otherwise
  int64_t rate_limit_burst = 2000;
  int64_t max_express_backlog = 100000;  // q:express entries; beyond, sends get 503
  int64_t max_report_backlog = 1000000;  // ev:report entries; beyond, sends get 503
  int report_grace_ms = 10000;     // smsgw-report unreachable longer than this: sends get 503
  int health_interval_ms = 500;    // how often dependencies are checked
  int idempotency_wait_ms = 3000;  // a retry waits this long for the first request with its key
  int idempotency_stale_ms = 60000;  // a claim older than this is settled from its messages' holds
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
  // A submitted message whose final receipt has not come this long is expired ("no delivery
  // receipt within N s"); at most receipt_ttl_s, which is its default.
  int receipt_wait_s = 172800;
  std::string metrics_listen;
  // Pending entries idle this long belong to a scheduler that died or lost them: another
  // instance takes them over (XAUTOCLAIM). Must exceed every operator's response timeout.
  int claim_idle_ms = 60000;
  int64_t dlq_max_len = 1000000;     // q:dlq keeps about this many dead letters (oldest trimmed)
  int receipt_park_s = 600;          // an unmatched receipt is tried again this long, then kept as unmatched
  int64_t unmatched_max_len = 100000;  // dlr:unmatched keeps about this many for inspection
};

struct ReportConfig {
  std::string listen = "127.0.0.1:7002";
  int batch_max_ms = 200;
  int batch_max_rows = 5000;
  int retention_days = 90;
  std::string consumer;
  std::string metrics_listen;
  // Status callbacks (webhooks and Kannel dlr-urls), smsgw-report(8).
  bool webhook_allow_private = false;  // may callbacks go to private or loopback addresses?
  int webhook_max_connections = 64;    // at once, in all
  int webhook_max_per_host = 8;        // at once, to one host
  int webhook_timeout_ms = 10000;      // per attempt
  int webhook_retry_base_ms = 10000;   // first retry after about this, then doubling (1 h at most)
  int webhook_give_up_s = 86400;       // no attempt later than this after the status change
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
  // smsgw-sched's SMPP settings (smsgw.toml(5)); -1 for a TON/NPI: derived from the address.
  std::string bind = "transceiver";  // or "transmitter_receiver"
  int tps_burst = 0;                 // submits allowed at once beyond the rate; 0: tps / 10 (at least 1)
  int source_ton = -1;
  int source_npi = -1;
  int dest_ton = -1;
  int dest_npi = -1;
  int registered_delivery = 1;
  std::string service_type;
  std::string data_coding = "gsm7";      // how GSM-7 texts go: gsm7 (DCS 0), latin1 (DCS 3), ascii (DCS 1)
  std::string long_messages = "udh";     // udh, sar or payload
  std::string message_id_format = "text";  // submit_sm_resp ids: text, hex or decimal
  std::string receipt_id_format = "text";  // ids in receipt texts: text, hex or decimal
  std::vector<std::string> refund_on;    // receipt outcomes refunded: undelivered, expired
  int response_timeout_ms = 10000;
  int bind_timeout_ms = 10000;
  int inactivity_timeout_s = 90;
  int reconnect_initial_ms = 1000;
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
