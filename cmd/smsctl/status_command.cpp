// smsctl status: every daemon and dependency, up or not, with versions.
#include <pqxx/pqxx>
#include <regex>

#include "common/host_port.h"
#include "context.h"
#include "daemon_probe.h"
#include "http/client.h"
#include "keys/keys.h"
#include "pg/migrate.h"
#include "redis/redis.h"
#include "rpc/status.h"

namespace smsgw::smsctl {
namespace {

using Row = std::vector<nlohmann::json>;

Row RedisRow(const config::RedisConfig& c) {
  const std::string where = c.host + ":" + std::to_string(c.port);
  Result<std::unique_ptr<redis::Connection>> conn = redis::Connection::Open(c);
  if (!conn.ok()) return {"redis", where, "down", nullptr, conn.status().message()};
  Result<std::vector<redis::Reply>> r = (*conn)->Pipeline({{"INFO", "server"}, {"EXISTS", "ledger:ready"}});
  if (!r.ok()) return {"redis", where, "down", nullptr, r.status().message()};
  std::smatch m;
  const std::string& info = (*r)[0].str;
  std::string version, uptime;
  if (std::regex_search(info, m, std::regex("redis_version:([^\r\n]+)"))) version = m[1];
  if (std::regex_search(info, m, std::regex("uptime_in_seconds:(\\d+)"))) uptime = m[1];
  const bool loaded = (*r)[1].integer == 1;
  // ledger:ready is the ledger's "every account is loaded" mark (DESIGN contract 3).
  return {"redis", where, "ok", version,
          "up " + uptime + " s; accounts " + (loaded ? "loaded" : "NOT loaded (ledger:ready missing)")};
}

Row PostgresRow(const config::PostgresConfig& c) {
  // The DSN without its password.
  const std::string where = std::regex_replace(c.dsn, std::regex("password=\\S+"), "password=***");
  try {
    pqxx::connection conn(c.dsn);
    pqxx::nontransaction tx(conn);
    const std::string version = tx.exec1("SHOW server_version")[0].as<std::string>();
    int schema = 0;
    pqxx::result has = tx.exec("SELECT to_regclass('schema_migrations') IS NOT NULL");
    if (has[0][0].as<bool>()) schema = tx.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations")[0].as<int>();
    const int latest = pg::Migrations().empty() ? 0 : pg::Migrations().back().version;
    const bool current = schema >= latest;
    return {"postgres", where, current ? "ok" : "outdated", version,
            "schema " + std::to_string(schema) +
                (current ? "" : ", this smsctl knows " + std::to_string(latest) + ": run smsctl db migrate")};
  } catch (const std::exception& e) {
    return {"postgres", where, "down", nullptr, std::string(e.what()).substr(0, 200)};
  }
}

// A gRPC service answers when its channel connects.
Row GrpcRow(const std::string& name, const std::string& address) {
  auto channel = rpc::MakeChannel(address);
  const bool up = channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(2));
  return {name, address, up ? "ok" : "down", nullptr, up ? "gRPC connects" : "gRPC does not connect"};
}

Row ApiRow(const std::string& listen) {
  Result<HostPort> addr = ParseHostPort(listen);
  if (!addr.ok()) return {"smsgw-api http", listen, "down", nullptr, addr.status().message()};
  Result<http::Response> r = http::Get(ConnectHost(*addr), addr->port, "/readyz", std::chrono::seconds(2));
  if (!r.ok()) return {"smsgw-api http", listen, "down", nullptr, r.status().message()};
  return {"smsgw-api http", listen, r->status == 200 ? "ok" : "down", nullptr,
          "/readyz: HTTP " + std::to_string(r->status)};
}

}  // namespace

void AddStatusCommand(CLI::App& app, Context& ctx, Action& run) {
  CLI::App* status = app.add_subcommand("status", "health and version of every daemon and dependency");
  status->callback([&ctx, &run] {
    run = [&ctx]() -> Status {
      Result<config::Config> config = ctx.LoadConfig();
      if (!config.ok()) return config.status();
      Listing listing{{"component", "address", "state", "version", "detail"}, {}};
      listing.rows.push_back(RedisRow(config->redis));
      listing.rows.push_back(PostgresRow(config->postgres));
      for (const DaemonProbe& d : ProbeDaemons(*config, false)) {
        listing.rows.push_back({d.name, d.address.empty() ? nlohmann::json() : nlohmann::json(d.address), d.state,
                                d.version.empty() ? nlohmann::json() : nlohmann::json(d.version), d.detail});
      }
      listing.rows.push_back(GrpcRow("smsgw-ledger grpc", config->api.ledger_address));
      listing.rows.push_back(GrpcRow("smsgw-report grpc", config->api.report_address));
      listing.rows.push_back(ApiRow(config->api.listen));
      ctx.Print(listing);
      int bad = 0;
      for (const auto& row : listing.rows) bad += row[2] != "ok" && row[2] != "unknown";
      if (bad > 0) return Status::Unavailable(std::to_string(bad) + " component(s) not ok");
      return Status::Ok();
    };
  });
}

}  // namespace smsgw::smsctl
