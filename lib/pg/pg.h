#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "common/status.h"
#include "config/config.h"

namespace smsgw::pg {

// A named SQL statement (userver's Query): the name is what PostgreSQL's logs and
// pg_stat_statements show, and the key under which the statement is prepared.
struct Query {
  const char* name;
  const char* sql;
};

// A fixed set of PostgreSQL connections shared by threads. Each connection prepares a statement
// the first time it is used on it. Broken connections are reopened on the next lease.
class Pool {
 public:
  static Result<std::unique_ptr<Pool>> Open(const config::PostgresConfig& config);

  // Runs `fn` in one transaction on a leased connection and commits. pqxx exceptions become a
  // Status: unique violations kConflict, broken connections kUnavailable, others kInternal.
  // `fn` may run `Exec(tx, query, args...)`.
  Status Transact(const std::function<void(pqxx::work&)>& fn);

 private:
  explicit Pool(config::PostgresConfig config) : config_(std::move(config)) {}
  Result<std::unique_ptr<pqxx::connection>> Connect();

  config::PostgresConfig config_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  int lent_ = 0;
};

// Prepares `q` on the transaction's connection if needed, then runs it with `args`.
template <typename... Args>
pqxx::result Exec(pqxx::work& tx, const Query& q, Args&&... args) {
  // pqxx 6 registers the statement lazily; registering the same name and text again is a no-op.
  tx.conn().prepare(q.name, q.sql);
  return tx.exec_prepared(q.name, std::forward<Args>(args)...);
}

// Maps an exception thrown by pqxx to a Status carrying `context`.
Status FromException(const std::exception& e, const std::string& context);

}  // namespace smsgw::pg
