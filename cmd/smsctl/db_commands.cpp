// smsctl db migrate | db status, and `smsctl migrate`, the older name of db migrate.
#include <pqxx/pqxx>

#include <iostream>
#include <map>

#include "context.h"
#include "pg/migrate.h"
#include "pg/pg.h"

namespace smsgw::smsctl {
namespace {

Status Migrate(const Context& ctx) {
  Result<config::Config> config = ctx.LoadConfig();
  if (!config.ok()) return config.status();
  Result<std::vector<int>> applied = pg::Migrate(config->postgres.dsn);
  if (!applied.ok()) return applied.status();
  std::string text = applied->empty() ? "schema is up to date" : "applied migrations:";
  for (int v : *applied) text += " " + std::to_string(v);
  ctx.Print({{"applied", *applied}}, text);
  return Status::Ok();
}

// Every migration this smsctl knows, and whether and when the database applied it.
Status DbStatus(const Context& ctx) {
  Result<config::Config> config = ctx.LoadConfig();
  if (!config.ok()) return config.status();
  std::map<int, std::string> applied;
  try {
    pqxx::connection conn(config->postgres.dsn);
    pqxx::nontransaction tx(conn);
    if (tx.exec1("SELECT to_regclass('schema_migrations') IS NOT NULL")[0].as<bool>()) {
      for (const auto& row : tx.exec("SELECT version, applied_at::text FROM schema_migrations ORDER BY version")) {
        applied[row[0].as<int>()] = row[1].as<std::string>();
      }
    }
  } catch (const std::exception& e) {
    return pg::FromException(e, "db status");
  }
  Listing listing{{"version", "name", "applied_at"}, {}};
  int pending = 0;
  for (const pg::Migration& m : pg::Migrations()) {
    auto it = applied.find(m.version);
    pending += it == applied.end();
    listing.rows.push_back(
        {m.version, m.name, it == applied.end() ? nlohmann::json("pending") : nlohmann::json(it->second)});
    if (it != applied.end()) applied.erase(it);
  }
  // Versions the database has that this smsctl does not know: a newer smsgw migrated it.
  for (const auto& [version, at] : applied) listing.rows.push_back({version, "(unknown to this smsctl)", at});
  ctx.Print(listing);
  if (pending > 0 && ctx.output == Output::kTable) {
    std::cerr << "smsctl: " << pending << " migration(s) pending: run smsctl db migrate\n";
  }
  return Status::Ok();
}

}  // namespace

void AddDbCommands(CLI::App& app, Context& ctx, Action& run) {
  CLI::App* db = app.add_subcommand("db", "the PostgreSQL schema");
  db->require_subcommand(1);
  db->add_subcommand("migrate", "apply the schema migrations this version needs")->callback([&ctx, &run] {
    run = [&ctx] { return Migrate(ctx); };
  });
  db->add_subcommand("status", "list the migrations this version knows and which are applied")->callback([&ctx, &run] {
    run = [&ctx] { return DbStatus(ctx); };
  });
  // The first name of db migrate, kept for scripts.
  app.add_subcommand("migrate", "the same as db migrate")->callback([&ctx, &run] {
    run = [&ctx] { return Migrate(ctx); };
  });
}

}  // namespace smsgw::smsctl
