#include "config/config.h"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <fstream>
#include <set>
#include <sstream>
#include <toml.hpp>

#include "config/key_names.h"
#include "config/section_reader.h"
#include "sms/utf8.h"

namespace smsgw::config {
namespace {

const std::set<std::string> kSections = {"redis", "postgres", "api",       "ledger",
                                         "sched", "report",   "operators", "log"};

void ReadRedis(SectionReader& r, RedisConfig& c) {
  r.Optional("host", c.host);
  r.Optional("port", c.port);
  r.Optional("password", c.password);
  r.Optional("timeout_ms", c.timeout_ms);
  r.Optional("pool_size", c.pool_size);
  r.Check(c.port > 0 && c.port < 65536, "port", "must be 1..65535");
  r.Check(c.timeout_ms > 0, "timeout_ms", "must be positive");
  r.Check(c.pool_size > 0, "pool_size", "must be positive");
}

void ReadPostgres(SectionReader& r, PostgresConfig& c) {
  r.Required("dsn", c.dsn);
  r.Optional("pool_size", c.pool_size);
  r.Check(c.pool_size > 0, "pool_size", "must be positive");
}

void ReadApi(SectionReader& r, ApiConfig& c) {
  r.Optional("listen", c.listen);
  r.Optional("ledger_address", c.ledger_address);
  r.Optional("report_address", c.report_address);
  r.Optional("default_region", c.default_region);
  r.Optional("threads", c.threads);
  r.Optional("max_body_bytes", c.max_body_bytes);
  r.Optional("auth_cache_ms", c.auth_cache_ms);
  r.Optional("hold_ttl_s", c.hold_ttl_s);
  r.Optional("send_workers", c.send_workers);
  r.Optional("coalesce_wait_us", c.coalesce_wait_us);
  r.Optional("coalesce_max_items", c.coalesce_max_items);
  r.Optional("max_queued_messages", c.max_queued_messages);
  r.Optional("ledger_timeout_ms", c.ledger_timeout_ms);
  r.Optional("metrics_listen", c.metrics_listen);
  r.Optional("max_header_bytes", c.max_header_bytes);
  r.Optional("max_connections", c.max_connections);
  r.Optional("read_timeout_ms", c.read_timeout_ms);
  r.Optional("idle_timeout_ms", c.idle_timeout_ms);
  r.Optional("request_timeout_ms", c.request_timeout_ms);
  r.Optional("shutdown_grace_ms", c.shutdown_grace_ms);
  r.Optional("rate_limit_rps", c.rate_limit_rps);
  r.Optional("rate_limit_burst", c.rate_limit_burst);
  r.Optional("max_express_backlog", c.max_express_backlog);
  r.Optional("max_report_backlog", c.max_report_backlog);
  r.Optional("report_grace_ms", c.report_grace_ms);
  r.Optional("health_interval_ms", c.health_interval_ms);
  r.Optional("idempotency_wait_ms", c.idempotency_wait_ms);
  r.Optional("idempotency_stale_ms", c.idempotency_stale_ms);
  r.Check(c.threads > 0, "threads", "must be positive");
  r.Check(c.max_header_bytes >= 1024 && c.max_header_bytes <= 1048576, "max_header_bytes",
          "must be from 1024 to 1048576");
  r.Check(c.max_connections > 0, "max_connections", "must be positive");
  r.Check(c.read_timeout_ms > 0, "read_timeout_ms", "must be positive");
  r.Check(c.idle_timeout_ms > 0, "idle_timeout_ms", "must be positive");
  r.Check(c.request_timeout_ms > c.ledger_timeout_ms, "request_timeout_ms", "must be more than ledger_timeout_ms");
  r.Check(c.shutdown_grace_ms >= 0, "shutdown_grace_ms", "must not be negative");
  r.Check(c.rate_limit_rps > 0, "rate_limit_rps", "must be positive");
  r.Check(c.rate_limit_burst >= 1, "rate_limit_burst", "must be at least 1");
  r.Check(c.max_express_backlog > 0, "max_express_backlog", "must be positive");
  r.Check(c.max_report_backlog > 0, "max_report_backlog", "must be positive");
  r.Check(c.report_grace_ms >= 0, "report_grace_ms", "must not be negative");
  r.Check(c.health_interval_ms >= 50, "health_interval_ms", "must be at least 50");
  r.Check(c.idempotency_wait_ms > 0 && c.idempotency_wait_ms < c.request_timeout_ms, "idempotency_wait_ms",
          "must be positive and less than request_timeout_ms");
  r.Check(c.idempotency_stale_ms > c.request_timeout_ms, "idempotency_stale_ms",
          "must be more than request_timeout_ms");
  r.Check(c.send_workers > 0 && c.send_workers <= 64, "send_workers", "must be from 1 to 64");
  r.Check(c.coalesce_wait_us >= 0 && c.coalesce_wait_us <= 100000, "coalesce_wait_us", "must be from 0 to 100000");
  r.Check(c.coalesce_max_items >= 1000 && c.coalesce_max_items <= 5000, "coalesce_max_items",
          "must be from 1000 (a whole customer batch) to 5000 (the ledger's batch limit)");
  r.Check(c.max_queued_messages >= c.coalesce_max_items, "max_queued_messages", "must be at least coalesce_max_items");
  r.Check(c.ledger_timeout_ms > 0, "ledger_timeout_ms", "must be positive");
  r.Check(c.max_body_bytes > 0, "max_body_bytes", "must be positive");
  r.Check(c.auth_cache_ms >= 0, "auth_cache_ms", "must be 0 or more");
  r.Check(c.hold_ttl_s > 0, "hold_ttl_s", "must be positive");
}

void ReadLedger(SectionReader& r, LedgerConfig& c) {
  r.Optional("listen", c.listen);
  r.Optional("flush_interval_ms", c.flush_interval_ms);
  r.Optional("sweep_interval_ms", c.sweep_interval_ms);
  r.Optional("metrics_listen", c.metrics_listen);
  r.Optional("hold_retention_s", c.hold_retention_s);
  r.Optional("check_interval_s", c.check_interval_s);
  r.Check(c.flush_interval_ms > 0, "flush_interval_ms", "must be positive");
  r.Check(c.sweep_interval_ms > 0, "sweep_interval_ms", "must be positive");
  r.Check(c.hold_retention_s >= 7, "hold_retention_s", "must be at least 7");
  r.Check(c.check_interval_s > 0, "check_interval_s", "must be positive");
}

// A hold must expire (and be refunded) while it is still kept: its TTL ends at least one
// seventh of the retention (one hold bucket, lib/keys/keys.h) before the retention does.
Status CheckHoldTimes(const Config& c) {
  const int64_t longest_ttl_s = c.ledger.hold_retention_s - c.ledger.hold_retention_s / 7;
  if (c.api.hold_ttl_s > longest_ttl_s) {
    return Status::InvalidArgument("api.hold_ttl_s: must be at most " + std::to_string(longest_ttl_s) +
                                   " (six sevenths of ledger.hold_retention_s)");
  }
  return Status::Ok();
}

void ReadSched(SectionReader& r, SchedConfig& c) {
  r.Optional("ledger_address", c.ledger_address);
  r.Optional("consumer", c.consumer);
  r.Optional("express_sla_ms", c.express_sla_ms);
  r.Optional("normal_min_share", c.normal_min_share);
  r.Optional("max_streams_per_round", c.max_streams_per_round);
  r.Optional("quantum", c.quantum);
  r.Optional("max_attempts", c.max_attempts);
  r.Optional("receipt_ttl_s", c.receipt_ttl_s);
  c.receipt_wait_s = c.receipt_ttl_s;  // the default: as long as the receipt could still match
  r.Optional("receipt_wait_s", c.receipt_wait_s);
  r.Optional("metrics_listen", c.metrics_listen);
  r.Optional("claim_idle_ms", c.claim_idle_ms);
  r.Optional("dlq_max_len", c.dlq_max_len);
  r.Optional("receipt_park_s", c.receipt_park_s);
  r.Optional("unmatched_max_len", c.unmatched_max_len);
  r.Check(c.claim_idle_ms >= 1000, "claim_idle_ms", "must be at least 1000");
  r.Check(c.dlq_max_len >= 1000, "dlq_max_len", "must be at least 1000");
  r.Check(c.receipt_park_s > 0 && c.receipt_park_s <= 86400, "receipt_park_s", "must be 1..86400");
  r.Check(c.unmatched_max_len >= 100, "unmatched_max_len", "must be at least 100");
  r.Check(c.receipt_ttl_s > 0, "receipt_ttl_s", "must be positive");
  r.Check(c.receipt_wait_s > 0 && c.receipt_wait_s <= c.receipt_ttl_s, "receipt_wait_s",
          "must be 1..receipt_ttl_s (a receipt cannot match after its key is gone)");
  r.Check(c.express_sla_ms > 0, "express_sla_ms", "must be positive");
  r.Check(c.normal_min_share >= 0 && c.normal_min_share <= 1, "normal_min_share", "must be 0..1");
  r.Check(c.max_streams_per_round > 0, "max_streams_per_round", "must be positive");
  r.Check(c.quantum > 0, "quantum", "must be positive");
  r.Check(c.max_attempts > 0, "max_attempts", "must be positive");
}

void ReadReport(SectionReader& r, ReportConfig& c) {
  r.Optional("listen", c.listen);
  r.Optional("batch_max_ms", c.batch_max_ms);
  r.Optional("batch_max_rows", c.batch_max_rows);
  r.Optional("retention_days", c.retention_days);
  r.Optional("consumer", c.consumer);
  r.Optional("metrics_listen", c.metrics_listen);
  r.Optional("webhook_allow_private", c.webhook_allow_private);
  r.Optional("webhook_max_connections", c.webhook_max_connections);
  r.Optional("webhook_max_per_host", c.webhook_max_per_host);
  r.Optional("webhook_timeout_ms", c.webhook_timeout_ms);
  r.Optional("webhook_retry_base_ms", c.webhook_retry_base_ms);
  r.Optional("webhook_give_up_s", c.webhook_give_up_s);
  r.Check(c.webhook_max_connections > 0, "webhook_max_connections", "must be positive");
  r.Check(c.webhook_max_per_host > 0, "webhook_max_per_host", "must be positive");
  r.Check(c.webhook_timeout_ms > 0, "webhook_timeout_ms", "must be positive");
  r.Check(c.webhook_retry_base_ms > 0, "webhook_retry_base_ms", "must be positive");
  r.Check(c.webhook_give_up_s > 0, "webhook_give_up_s", "must be positive");
  r.Check(c.batch_max_ms > 0, "batch_max_ms", "must be positive");
  r.Check(c.batch_max_rows > 0, "batch_max_rows", "must be positive");
  r.Check(c.retention_days > 0, "retention_days", "must be positive");
}

// An integer key read in 64 bits and range-checked before it narrows, so a value beyond int
// is refused by name instead of wrapping (review F5).
void RangedInt(SectionReader& r, const std::string& key, int& out, int64_t min, int64_t max, bool required = false) {
  int64_t v = out;
  if (required) {
    r.Required(key, v);
  } else {
    r.Optional(key, v);
  }
  r.Check(v >= min && v <= max, key, "must be " + std::to_string(min) + ".." + std::to_string(max));
  if (v >= min && v <= max) out = static_cast<int>(v);
}

// An SMPP C-octet string from the config: at most `max` octets and no NUL, else the link could
// never bind (review m7).
void CheckCString(SectionReader& r, const std::string& key, const std::string& v, size_t max) {
  r.Check(v.size() <= max, key, "at most " + std::to_string(max) + " characters (SMPP 3.4)");
  r.Check(v.find('\0') == std::string::npos, key, "must not contain a NUL character");
}

void CheckOneOf(SectionReader& r, const std::string& key, const std::string& v, const std::set<std::string>& allowed) {
  std::string list;
  for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
  r.Check(allowed.count(v) > 0, key, "must be one of " + list);
}

void ReadOperator(SectionReader& r, OperatorConfig& c) {
  r.Required("name", c.name);
  r.Required("host", c.host);
  RangedInt(r, "port", c.port, 1, 65535, true);
  r.Required("system_id", c.system_id);
  r.Required("password", c.password);
  r.Optional("system_type", c.system_type);
  RangedInt(r, "window", c.window, 1, 10000);
  RangedInt(r, "tps", c.tps, 1, 1000000);
  RangedInt(r, "tps_burst", c.tps_burst, 0, 1000000);
  r.Optional("prefixes", c.prefixes);
  RangedInt(r, "enquire_link_s", c.enquire_link_s, 0, 3600);
  RangedInt(r, "reconnect_max_s", c.reconnect_max_s, 1, 3600);
  r.Optional("bind", c.bind);
  for (const char* key : {"source_ton", "source_npi", "dest_ton", "dest_npi"}) {
    int& field = std::string(key) == "source_ton"   ? c.source_ton
                 : std::string(key) == "source_npi" ? c.source_npi
                 : std::string(key) == "dest_ton"   ? c.dest_ton
                                                    : c.dest_npi;
    RangedInt(r, key, field, -1, 255);
  }
  RangedInt(r, "registered_delivery", c.registered_delivery, 0, 255);
  r.Optional("service_type", c.service_type);
  r.Optional("data_coding", c.data_coding);
  r.Optional("long_messages", c.long_messages);
  r.Optional("message_id_format", c.message_id_format);
  r.Optional("receipt_id_format", c.receipt_id_format);
  r.Optional("refund_on", c.refund_on);
  RangedInt(r, "response_timeout_ms", c.response_timeout_ms, 100, 600000);
  RangedInt(r, "bind_timeout_ms", c.bind_timeout_ms, 100, 600000);
  RangedInt(r, "inactivity_timeout_s", c.inactivity_timeout_s, 0, 86400);
  RangedInt(r, "reconnect_initial_ms", c.reconnect_initial_ms, 1, 3600000);
  // SMPP 3.4 limits system_id to 15 octets, password to 8, system_type to 12 (section 5.2).
  CheckCString(r, "system_id", c.system_id, 15);
  CheckCString(r, "password", c.password, 8);
  CheckCString(r, "system_type", c.system_type, 12);
  CheckCString(r, "service_type", c.service_type, 5);
  CheckOneOf(r, "bind", c.bind, {"transceiver", "transmitter_receiver"});
  CheckOneOf(r, "data_coding", c.data_coding, {"gsm7", "latin1", "ascii"});
  CheckOneOf(r, "long_messages", c.long_messages, {"udh", "sar", "payload"});
  CheckOneOf(r, "message_id_format", c.message_id_format, {"text", "hex", "decimal"});
  CheckOneOf(r, "receipt_id_format", c.receipt_id_format, {"text", "hex", "decimal"});
  for (const std::string& s : c.refund_on) CheckOneOf(r, "refund_on", s, {"undelivered", "expired"});
}

void ReadLog(SectionReader& r, LogConfig& c) {
  static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  r.Optional("level", c.level);
  r.Check(kLevels.count(c.level) > 0, "level", "must be one of trace, debug, info, warn, error, critical, off");
}

template <typename Fn, typename T>
void ReadSection(const toml::value& root, const std::string& name, Fn read, T& out, Status& status) {
  if (!status.ok()) return;
  const toml::value* table = nullptr;
  if (root.contains(name)) {
    table = &root.at(name);
    if (!table->is_table()) {
      status = Status::InvalidArgument(name + ": must be a table ([" + name + "])");
      return;
    }
  }
  SectionReader reader(table, name);
  read(reader, out);
  status = reader.Finish();
}

Result<Config> FromValue(const toml::value& root) {
  Config config;
  for (const auto& [key, _] : root.as_table()) {
    if (kSections.count(key) == 0) return Status::InvalidArgument(key + ": unknown key");
  }
  Status status;
  ReadSection(root, "redis", ReadRedis, config.redis, status);
  ReadSection(root, "postgres", ReadPostgres, config.postgres, status);
  ReadSection(root, "api", ReadApi, config.api, status);
  ReadSection(root, "ledger", ReadLedger, config.ledger, status);
  ReadSection(root, "sched", ReadSched, config.sched, status);
  ReadSection(root, "report", ReadReport, config.report, status);
  ReadSection(root, "log", ReadLog, config.log, status);
  if (!status.ok()) return status;
  if (Status s = CheckHoldTimes(config); !s.ok()) return s;

  if (root.contains("operators")) {
    const toml::value& ops = root.at("operators");
    if (!ops.is_array()) return Status::InvalidArgument("operators: must be an array of tables ([[operators]])");
    std::set<std::string> names;
    for (size_t i = 0; i < ops.as_array().size(); ++i) {
      const toml::value& op = ops.as_array()[i];
      std::string path = "operators[" + std::to_string(i) + "]";
      if (!op.is_table()) return Status::InvalidArgument(path + ": must be a table");
      SectionReader reader(&op, path);
      OperatorConfig oc;
      ReadOperator(reader, oc);
      if (Status s = reader.Finish(); !s.ok()) return s;
      if (!names.insert(oc.name).second) {
        return Status::InvalidArgument(path + ".name: duplicate operator name '" + oc.name + "'");
      }
      if (oc.response_timeout_ms >= config.sched.claim_idle_ms) {
        return Status::InvalidArgument("sched.claim_idle_ms: must exceed " + path +
                                       ".response_timeout_ms, or live submits would be taken over");
      }
      config.operators.push_back(std::move(oc));
    }
  }
  return config;
}

}  // namespace

Result<Config> LoadString(const std::string& text, const std::string& origin) {
  // TOML files are UTF-8, and toml11 3.7 reads past its buffer on a literal string holding
  // other bytes (a file saved as Latin-1): refuse such a file before it sees it.
  if (std::optional<size_t> bad = sms::FindInvalidUtf8(text)) {
    size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(*bad), '\n'));
    return Status::InvalidArgument(origin + ":" + std::to_string(line) + ": not UTF-8 (byte " +
                                   std::to_string(*bad + 1) + "); save the file as UTF-8");
  }
  try {
    std::istringstream in(text);
    toml::value root = toml::parse(in, origin);
    Result<Config> config = FromValue(root);
    if (!config.ok()) return config.status().WithContext(origin);
    return config;
  } catch (const std::exception& e) {
    // toml11's messages already carry the file, line and a caret under the error.
    return Status::InvalidArgument(e.what());
  }
}

Result<Config> LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open config file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return LoadString(buffer.str(), path);
}

std::vector<std::string> KeyNames() {
  // Each section's reader run on no table records the keys it asks for.
  std::vector<std::string> names;
  auto collect = [&](const std::string& section, auto read, auto config) {
    SectionReader reader(nullptr, section);
    read(reader, config);
    for (const std::string& key : reader.keys()) names.push_back(section + "." + key);
  };
  collect("redis", ReadRedis, RedisConfig{});
  collect("postgres", ReadPostgres, PostgresConfig{});
  collect("api", ReadApi, ApiConfig{});
  collect("ledger", ReadLedger, LedgerConfig{});
  collect("sched", ReadSched, SchedConfig{});
  collect("report", ReadReport, ReportConfig{});
  collect("operators", ReadOperator, OperatorConfig{});
  collect("log", ReadLog, LogConfig{});
  return names;
}

std::string ResolvePath(const std::string& flag_value) {
  if (!flag_value.empty()) return flag_value;
  if (const char* env = std::getenv("SMSGW_CONFIG"); env != nullptr && *env != '\0') return env;
  return "/etc/smsgw/smsgw.toml";
}

}  // namespace smsgw::config
