#include "pg/pg.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "metrics/registry.h"

namespace smsgw::pg {
namespace {

// Transactions through the pool, by how they ended ("commit", or the error kind).
metrics::Family<metrics::Counter>& Transactions() {
  static auto& f = metrics::Default().AddCounter("smsgw_pg_transactions_total",
                                                 "PostgreSQL transactions through the pool, by result.", {"result"});
  return f;
}

metrics::Histogram& TransactionSeconds() {
  static auto& h = metrics::Default()
                       .AddHistogram("smsgw_pg_transaction_seconds",
                                     "Time from taking a pooled connection to commit or failure.", {},
                                     metrics::LatencyBuckets())
                       .Get();
  return h;
}

metrics::Family<metrics::Counter>& Connects() {
  static auto& f = metrics::Default().AddCounter("smsgw_pg_connects_total",
                                                 "Connections opened to PostgreSQL, by result.", {"result"});
  return f;
}

}  // namespace

Status FromException(const std::exception& e, const std::string& context) {
  if (dynamic_cast<const pqxx::unique_violation*>(&e) != nullptr) {
    return Status::Conflict(context + ": " + e.what());
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr ||
      dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return Status::Unavailable(context + ": " + e.what());
  }
  return Status::Internal(context + ": " + e.what());
}

Result<std::unique_ptr<pqxx::connection>> Pool::Connect() {
  try {
    auto c = std::make_unique<pqxx::connection>(config_.dsn);
    Connects().Labels({"ok"}).Inc();
    return c;
  } catch (const std::exception& e) {
    Connects().Labels({"error"}).Inc();
    return Status::Unavailable(std::string("postgres: ") + e.what());
  }
}

Result<std::unique_ptr<Pool>> Pool::Open(const config::PostgresConfig& config) {
  std::unique_ptr<Pool> pool(new Pool(config));
  // One connection up front proves the DSN; the rest open as they are first needed.
  Result<std::unique_ptr<pqxx::connection>> c = pool->Connect();
  if (!c.ok()) return c.status();
  pool->idle_.push_back(std::move(c).value());
  return pool;
}

Status Pool::Transact(const std::function<void(pqxx::work&)>& fn) {
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<pqxx::connection> conn;
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty() || lent_ < config_.pool_size; });
    ++lent_;
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  auto give_back = [&](std::unique_ptr<pqxx::connection> c) {
    std::lock_guard lock(mu_);
    --lent_;
    if (c && c->is_open()) idle_.push_back(std::move(c));
    cv_.notify_one();
  };
  if (!conn) {
    Result<std::unique_ptr<pqxx::connection>> c = Connect();
    if (!c.ok()) {
      give_back(nullptr);
      return c.status();
    }
    conn = std::move(c).value();
  }
  Status status;
  try {
    pqxx::work tx(*conn);
    fn(tx);
    tx.commit();
  } catch (const std::exception& e) {
    status = FromException(e, "postgres");
  }
  give_back(std::move(conn));
  TransactionSeconds().Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  Transactions().Labels({status.ok() ? "commit" : std::string(ErrorCodeName(status.code()))}).Inc();
  return status;
}

}  // namespace smsgw::pg
