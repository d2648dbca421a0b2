#include "config/config.h"

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <toml.hpp>

#include "config/section_reader.h"

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
  r.Check(c.threads > 0, "threads", "must be positive");
  r.Check(c.send_workers > 0 && c.send_workers <= 64, "send_workers", "must be from 1 to 64");
  r.Check(c.coalesce_wait_us >= 0 && c.coalesce_wait_us <= 100000, "coalesce_wait_us", "must be from 0 to 100000");
  r.Check(c.coalesce_max_items >= 1000 && c.coalesce_max_items <= 5000, "coalesce_max_items",
          "must be from 1000 (a whole customer batch) to 5000 (the ledger's batch limit)");
  r.Check(c.max_queued_messages >= c.coalesce_max_items, "max_queued_messages", "must be at least coalesce_max_items");
  r.Check(c.ledger_timeout_ms > 0, "ledger_timeout_ms", "must be positive");
  r.Check(c.max_body_bytes > 0, "max_body_bytes", "must be positive");
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
  r.Optional("metrics_listen", c.metrics_listen);
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
  r.Check(c.batch_max_ms > 0, "batch_max_ms", "must be positive");
  r.Check(c.batch_max_rows > 0, "batch_max_rows", "must be positive");
  r.Check(c.retention_days > 0, "retention_days", "must be positive");
}

void ReadOperator(SectionReader& r, OperatorConfig& c) {
  r.Required("name", c.name);
  r.Required("host", c.host);
  r.Required("port", c.port);
  r.Required("system_id", c.system_id);
  r.Required("password", c.password);
  r.Optional("system_type", c.system_type);
  r.Optional("window", c.window);
  r.Optional("tps", c.tps);
  r.Optional("prefixes", c.prefixes);
  r.Optional("enquire_link_s", c.enquire_link_s);
  r.Optional("reconnect_max_s", c.reconnect_max_s);
  r.Check(c.port > 0 && c.port < 65536, "port", "must be 1..65535");
  r.Check(c.window > 0, "window", "must be positive");
  r.Check(c.tps > 0, "tps", "must be positive");
  // SMPP 3.4 limits system_id to 15 octets and password to 8 (section 5.2).
  r.Check(c.system_id.size() <= 15, "system_id", "at most 15 characters (SMPP 3.4)");
  r.Check(c.password.size() <= 8, "password", "at most 8 characters (SMPP 3.4)");
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
      config.operators.push_back(std::move(oc));
    }
  }
  return config;
}

}  // namespace

Result<Config> LoadString(const std::string& text, const std::string& origin) {
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

std::string ResolvePath(const std::string& flag_value) {
  if (!flag_value.empty()) return flag_value;
  if (const char* env = std::getenv("SMSGW_CONFIG"); env != nullptr && *env != '\0') return env;
  return "/etc/smsgw/smsgw.toml";
}

}  // namespace smsgw::config
