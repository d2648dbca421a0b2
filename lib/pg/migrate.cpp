#include "pg/migrate.h"

#include <pqxx/pqxx>

#include "pg/pg.h"

namespace smsgw::pg {
namespace {

// Any number unlikely to be used by another application on the same database.
constexpr long kMigrationLockId = 0x736d7367;  // "smsg"

}  // namespace

Result<std::vector<int>> Migrate(const std::string& dsn) {
  std::vector<int> applied;
  try {
    pqxx::connection conn(dsn);
    pqxx::nontransaction(conn).exec_params("SELECT pg_advisory_lock($1)", kMigrationLockId);
    {
      pqxx::work tx(conn);
      tx.exec(
          "CREATE TABLE IF NOT EXISTS schema_migrations ("
          " version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
      tx.commit();
    }
    int current = 0;
    {
      pqxx::work tx(conn);
      current = tx.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations")[0].as<int>();
    }
    for (const Migration& m : Migrations()) {
      if (m.version <= current) continue;
      pqxx::work tx(conn);
      tx.exec(m.sql);  // a file of lib/pg/migrations, compiled in: no input reaches it
      tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version, m.name);
      tx.commit();
      applied.push_back(m.version);
    }
    pqxx::nontransaction(conn).exec_params("SELECT pg_advisory_unlock($1)", kMigrationLockId);
  } catch (const std::exception& e) {
    return FromException(e, "migrate");
  }
  return applied;
}

}  // namespace smsgw::pg
