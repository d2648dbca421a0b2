// smsgw-report against a real Redis and PostgreSQL: the daemon's own consumer, writer and gRPC
// service, driven through ev:report (protobuf entries) and asserted in the messages table, the
// stream and over a real gRPC channel.
//
// Needs SMSGW_TEST_REDIS_PORT (Redis on 127.0.0.1) and either SMSGW_TEST_PG_DSN (a database the
// test may migrate and share) or SMSGW_TEST_PG_PORT (PostgreSQL on 127.0.0.1 with trust auth for
// user postgres: the suite creates a fresh database and drops it after); scripts/test starts the
// servers and exports them. Each test uses its own stream key and account ids, nothing empties
// Redis and only partitions over 1000 days old are dropped, so the servers may be shared.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <nlohmann/json.hpp>
#include <thread>

#include "keys/keys.h"
#include "pg/migrate.h"
#include "pg/pg.h"
#include "proto/smsgw.grpc.pb.h"
#include "redis/redis.h"
#include "report/consumer.h"
#include "report/service.h"
#include "report/writer.h"
#include "rpc/status.h"
#include "sms/uuid7.h"

namespace smsgw::report {
namespace {

using std::chrono::milliseconds;
constexpr int64_t kMsPerDay = 86'400'000;
constexpr auto kDeadline = std::chrono::seconds(15);

int64_t NowMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::mt19937_64& Rng() {
  static std::mt19937_64 rng(std::random_device{}());
  return rng;
}

// A UUIDv7 whose time is `ms` (to place a message on a day of our choosing).
std::string UuidV7At(int64_t ms) { return sms::UuidV7At(ms, Rng()()); }

// Polls `done` until it holds or the deadline passes; never a fixed sleep.
bool WaitFor(const std::function<bool()>& done) {
  const auto until = std::chrono::steady_clock::now() + kDeadline;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return done();
}

struct Row {
  std::string status;
  int64_t account_id = 0;
  std::optional<int64_t> cost, segments, created_ms, submitted_ms, done_ms;
  std::optional<std::string> to, from, encoding, priority, client_ref, operator_name,
      operator_message_id, error;
};

class ReportPgTest : public ::testing::Test {
 protected:
  // Picks (or creates) the database once per run and migrates it.
  static void SetUpTestSuite() {
    const char* dsn = std::getenv("SMSGW_TEST_PG_DSN");
    const char* pg_port = std::getenv("SMSGW_TEST_PG_PORT");
    if (dsn != nullptr && *dsn != '\0') {
      dsn_ = dsn;
    } else if (pg_port != nullptr && *pg_port != '\0') {
      const std::string server = std::string("host=127.0.0.1 port=") + pg_port + " user=postgres";
      admin_dsn_ = server + " dbname=postgres";
      fresh_db_ = "smsgw_report_pgtest_" + std::to_string(getpid());
      try {
        pqxx::connection admin(admin_dsn_);
        pqxx::nontransaction tx(admin);
        tx.exec0("DROP DATABASE IF EXISTS " + fresh_db_);
        tx.exec0("CREATE DATABASE " + fresh_db_);
      } catch (const std::exception& e) {
        setup_error_ = std::string("creating the test database: ") + e.what();
        return;
      }
      dsn_ = server + " dbname=" + fresh_db_;
    } else {
      return;
    }
    Result<std::vector<int>> migrated = pg::Migrate(dsn_);
    if (!migrated.ok()) setup_error_ = migrated.status().ToString();
  }

  static void TearDownTestSuite() {
    if (fresh_db_.empty()) return;
    try {
      pqxx::connection admin(admin_dsn_);
      pqxx::nontransaction tx(admin);
      tx.exec0("DROP DATABASE IF EXISTS " + fresh_db_ + " WITH (FORCE)");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "dropping %s: %s\n", fresh_db_.c_str(), e.what());
    }
  }

  void SetUp() override {
    const char* port = std::getenv("SMSGW_TEST_REDIS_PORT");
    if (port == nullptr || dsn_.empty()) {
      FAIL() << "SMSGW_TEST_REDIS_PORT and SMSGW_TEST_PG_DSN or SMSGW_TEST_PG_PORT must be set "
                "(scripts/test starts Redis and PostgreSQL and exports them)";
    }
    ASSERT_TRUE(setup_error_.empty()) << setup_error_;
    redis_config_.port = std::atoi(port);
    redis_config_.pool_size = 1;
    pg_config_.dsn = dsn_;
    pg_config_.pool_size = 2;

    Result<std::unique_ptr<pg::Pool>> pool = pg::Pool::Open(pg_config_);
    ASSERT_TRUE(pool.ok()) << pool.status().ToString();
    pool_ = std::move(pool).value();
    writer_ = std::make_unique<BatchWriter>(pool_.get());
    Result<std::unique_ptr<redis::Connection>> conn = redis::Connection::Open(redis_config_);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    redis_ = std::move(conn).value();
    db_ = std::make_unique<pqxx::connection>(pg_config_.dsn);

    stream_ =
        "ev:report:test:" + std::to_string(getpid()) + ":" + std::to_string(Rng()() % 1000000);
    account_ = 1'000'000'000 + static_cast<int64_t>(Rng()() % 1'000'000'000);
  }

  void TearDown() override {
    for (auto& c : consumers_) StopConsumer(*c);
    if (redis_) (void)redis_->Run({"DEL", stream_});
  }

  struct RunningConsumer {
    std::unique_ptr<StreamConsumer> consumer;
    std::thread thread;
  };

  ConsumerOptions Options(const std::string& name) {
    ConsumerOptions o;
    o.stream = stream_;
    o.consumer = name;
    o.batch_max_rows = 100;
    o.batch_max_ms = 50;
    o.retention_days = 0;  // the database may be shared: drop nothing here
    return o;
  }

  StreamConsumer& StartConsumer(ConsumerOptions options, BatchWriter* writer) {
    auto c = std::make_unique<RunningConsumer>();
    c->consumer = std::make_unique<StreamConsumer>(std::move(options), redis_config_, writer);
    Status s = c->consumer->Init();
    EXPECT_TRUE(s.ok()) << s.ToString();
    c->thread = std::thread([consumer = c->consumer.get()] { consumer->Run(); });
    consumers_.push_back(std::move(c));
    return *consumers_.back()->consumer;
  }

  static void StopConsumer(RunningConsumer& c) {
    c.consumer->Stop();
    if (c.thread.joinable()) c.thread.join();
  }

  void Add(const v1::StatusEvent& e) { AddRaw(e.SerializeAsString()); }
  void AddRaw(const std::string& payload, const std::string& field = keys::kPayloadField) {
    Result<redis::Reply> r = redis_->Run({"XADD", stream_, "*", field, payload});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  int64_t Count(const redis::Command& command) {
    Result<redis::Reply> r = redis_->Run(command);
    if (!r.ok()) return -1;
    if (r->type == redis::Reply::Type::kArray)
      return r->elements.empty() ? -1 : r->elements[0].integer;
    return r->integer;
  }
  int64_t StreamLength() { return Count({"XLEN", stream_}); }
  int64_t PendingCount() { return Count({"XPENDING", stream_, keys::kReportGroup}); }

  std::optional<Row> Read(const std::string& id) {
    pqxx::nontransaction tx(*db_);
    pqxx::result r = tx.exec_params(
        "SELECT status, account_id, cost, segments, "
        "(EXTRACT(EPOCH FROM created_at) * 1000)::bigint, "
        "(EXTRACT(EPOCH FROM submitted_at) * 1000)::bigint, "
        "(EXTRACT(EPOCH FROM done_at) * 1000)::bigint, to_number, from_number, encoding, "
        "priority, client_ref, operator_name, operator_message_id, error "
        "FROM messages WHERE id = $1::uuid",
        id);
    if (r.empty()) return std::nullopt;
    auto num = [](const pqxx::field& f) {
      return f.is_null() ? std::nullopt : std::optional<int64_t>(f.as<int64_t>());
    };
    auto text = [](const pqxx::field& f) {
      return f.is_null() ? std::nullopt : std::optional<std::string>(f.as<std::string>());
    };
    Row row;
    row.status = r[0][0].as<std::string>();
    row.account_id = r[0][1].as<int64_t>();
    row.cost = num(r[0][2]);
    row.segments = num(r[0][3]);
    row.created_ms = num(r[0][4]);
    row.submitted_ms = num(r[0][5]);
    row.done_ms = num(r[0][6]);
    row.to = text(r[0][7]);
    row.from = text(r[0][8]);
    row.encoding = text(r[0][9]);
    row.priority = text(r[0][10]);
    row.client_ref = text(r[0][11]);
    row.operator_name = text(r[0][12]);
    row.operator_message_id = text(r[0][13]);
    row.error = text(r[0][14]);
    return row;
  }

  // The name of the daily partition holding `ms`, and whether it exists.
  std::string PartitionOf(int64_t ms) {
    pqxx::nontransaction tx(*db_);
    return tx
        .exec_params1(
            "SELECT 'messages_' || to_char((TIMESTAMPTZ 'epoch' + $1::bigint * INTERVAL "
            "'1 millisecond') AT TIME ZONE 'UTC', 'YYYYMMDD')",
            ms)[0]
        .as<std::string>();
  }
  std::string FillFactor(const std::string& table) {
    pqxx::nontransaction tx(*db_);
    return tx
        .exec_params1("SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = $1",
                      table)[0]
        .as<std::string>("");
  }
  bool TableExists(const std::string& name) {
    pqxx::nontransaction tx(*db_);
    return !tx.exec_params1("SELECT to_regclass($1) IS NULL", name)[0].as<bool>();
  }

  v1::StatusEvent Accepted(const std::string& id, int64_t cost) {
    v1::StatusEvent e;
    e.set_message_id(id);
    e.set_account_id(account_);
    e.set_status(v1::STATUS_ACCEPTED);
    e.set_at_ms(sms::UuidV7TimeMs(id).value());
    e.set_to("+989121234567");
    e.set_from("SMSGW");
    e.set_encoding(v1::ENCODING_UCS2);
    e.set_segments(2);
    e.set_cost(cost);
    e.set_priority(v1::PRIORITY_EXPRESS);
    e.set_client_ref("ref-" + id.substr(0, 8));
    return e;
  }
  v1::StatusEvent Event(const std::string& id, v1::MessageStatus status, int64_t at_ms) {
    v1::StatusEvent e;
    e.set_message_id(id);
    e.set_account_id(account_);
    e.set_status(status);
    e.set_at_ms(at_ms);
    if (status == v1::STATUS_SUBMITTED) {
      e.set_operator_name("sim");
      e.set_operator_message_id("op-" + id.substr(0, 8));
    }
    return e;
  }

  static inline std::string dsn_;
  static inline std::string admin_dsn_;
  static inline std::string fresh_db_;  // created by SetUpTestSuite, dropped after
  static inline std::string setup_error_;

  config::RedisConfig redis_config_;
  config::PostgresConfig pg_config_;
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<BatchWriter> writer_;
  std::unique_ptr<redis::Connection> redis_;
  std::unique_ptr<pqxx::connection> db_;
  std::vector<std::unique_ptr<RunningConsumer>> consumers_;
  std::string stream_;
  int64_t account_ = 0;
};

TEST_F(ReportPgTest, EventsBecomeRowsAckedDeletedAndServedOverGrpc) {
  StreamConsumer& consumer = StartConsumer(Options("report-test"), writer_.get());
  const int64_t now = NowMs();
  const std::string in_order = sms::NewUuidV7();
  const std::string reversed = sms::NewUuidV7();
  const std::string doubled = sms::NewUuidV7();
  // Days no partition was prepared for (clock skew both ways; the old one within retention):
  // created on the fly.
  const std::string old_day = UuidV7At(now - (10 + static_cast<int64_t>(Rng()() % 70)) * kMsPerDay);
  const std::string future_day =
      UuidV7At(now + (20 + static_cast<int64_t>(Rng()() % 40)) * kMsPerDay);
  Add(Accepted(in_order, 120));
  Add(Event(in_order, v1::STATUS_SUBMITTED, now + 10));
  Add(Event(in_order, v1::STATUS_DELIVERED, now + 20));
  // Out of order: the receipt overtakes the rest, which come in a later batch.
  Add(Event(reversed, v1::STATUS_DELIVERED, now + 30));
  // Every event twice (at-least-once delivery).
  v1::StatusEvent undelivered = Event(doubled, v1::STATUS_UNDELIVERED, now + 50);
  undelivered.set_error("absent subscriber");
  for (int i = 0; i < 2; ++i) {
    Add(Accepted(doubled, 360));
    Add(Event(doubled, v1::STATUS_SUBMITTED, now + 40));
    Add(undelivered);
  }
  Add(Accepted(old_day, 7));
  Add(Event(old_day, v1::STATUS_FAILED, now + 60));
  Add(Accepted(future_day, 8));
  // Entries that can never be written are dropped, not left to block the stream.
  AddRaw("\xff\xfe not a protobuf");
  AddRaw("whatever", "not-e");

  ASSERT_TRUE(WaitFor([&] {
    auto a = Read(in_order), b = Read(reversed), c = Read(doubled), d = Read(old_day),
         e = Read(future_day);
    return a && a->status == "delivered" && b && c && c->status == "undelivered" && d &&
           d->status == "failed" && e && StreamLength() == 0;
  })) << "rows not written / stream not emptied; XLEN "
      << StreamLength();

  Add(Event(reversed, v1::STATUS_SUBMITTED, now + 25));
  Add(Accepted(reversed, 240));
  ASSERT_TRUE(WaitFor([&] {
    auto b = Read(reversed);
    return b && b->cost.has_value() && StreamLength() == 0;
  }));

  std::optional<Row> a = Read(in_order);
  EXPECT_EQ(a->status, "delivered");
  EXPECT_EQ(a->account_id, account_);
  EXPECT_EQ(a->cost, 120);
  EXPECT_EQ(a->segments, 2);
  EXPECT_EQ(a->created_ms, sms::UuidV7TimeMs(in_order).value());
  EXPECT_EQ(a->submitted_ms, now + 10);
  EXPECT_EQ(a->done_ms, now + 20);
  EXPECT_EQ(a->to, "+989121234567");
  EXPECT_EQ(a->from, "SMSGW");
  EXPECT_EQ(a->encoding, "ucs2");
  EXPECT_EQ(a->priority, "express");
  EXPECT_EQ(a->operator_name, "sim");
  EXPECT_EQ(a->operator_message_id, "op-" + in_order.substr(0, 8));
  EXPECT_FALSE(a->error.has_value());

  std::optional<Row> b = Read(reversed);
  EXPECT_EQ(b->status, "delivered");  // the later accepted and submitted did not move it down
  EXPECT_EQ(b->cost, 240);
  EXPECT_EQ(b->submitted_ms, now + 25);
  EXPECT_EQ(b->done_ms, now + 30);
  EXPECT_EQ(b->client_ref, "ref-" + reversed.substr(0, 8));

  std::optional<Row> c = Read(doubled);
  EXPECT_EQ(c->status, "undelivered");
  EXPECT_EQ(c->cost, 360);
  EXPECT_EQ(c->done_ms, now + 50);
  EXPECT_EQ(c->error, "absent subscriber");

  EXPECT_EQ(Read(old_day)->created_ms, sms::UuidV7TimeMs(old_day).value());
  EXPECT_EQ(Read(future_day)->status, "accepted");

  EXPECT_EQ(StreamLength(), 0);
  EXPECT_EQ(PendingCount(), 0);
  EXPECT_EQ(consumer.stats().entries_dropped.load(), 2);
  EXPECT_EQ(consumer.stats().events_written.load(), 15);

  // The same rows through the Report service, over a real channel.
  ReportService service(pool_.get(), pool_.get());
  int port = 0;
  Result<std::unique_ptr<grpc::Server>> server = StartServer("127.0.0.1:0", &service, &port);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  auto stub = v1::Report::NewStub(rpc::MakeChannel("127.0.0.1:" + std::to_string(port)));
  auto call = [&](int64_t account, const std::string& id, v1::MessageRecord* out) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::GetMessageRequest req;
    req.set_account_id(account);
    req.set_message_id(id);
    return stub->GetMessage(&ctx, req, out);
  };

  v1::MessageRecord m;
  grpc::Status s = call(account_, in_order, &m);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(m.id(), in_order);
  EXPECT_EQ(m.account_id(), account_);
  EXPECT_EQ(m.status(), v1::STATUS_DELIVERED);
  EXPECT_EQ(m.to(), "+989121234567");
  EXPECT_EQ(m.from(), "SMSGW");
  EXPECT_EQ(m.encoding(), v1::ENCODING_UCS2);
  EXPECT_EQ(m.priority(), v1::PRIORITY_EXPRESS);
  EXPECT_EQ(m.segments(), 2);
  EXPECT_EQ(m.cost(), 120);
  EXPECT_EQ(m.accepted_at_ms(), sms::UuidV7TimeMs(in_order).value());
  EXPECT_EQ(m.submitted_at_ms(), now + 10);
  EXPECT_EQ(m.done_at_ms(), now + 20);
  EXPECT_EQ(m.operator_message_id(), "op-" + in_order.substr(0, 8));

  v1::MessageRecord f;
  ASSERT_TRUE(call(account_, future_day, &f).ok());
  EXPECT_EQ(f.status(), v1::STATUS_ACCEPTED);
  EXPECT_EQ(f.submitted_at_ms(), 0);
  EXPECT_EQ(f.done_at_ms(), 0);
  ASSERT_TRUE(call(account_, old_day, &f).ok());
  EXPECT_EQ(f.status(), v1::STATUS_FAILED);

  EXPECT_EQ(call(account_ + 1, in_order, &m).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(call(account_, sms::NewUuidV7(), &m).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(call(account_, "not-a-uuid", &m).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(call(account_, "018f3a5b-7c00-4abc-8def-0123456789ab", &m).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  server.value()->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
}

// Review finding F2: an SMSC's bytes that are not UTF-8 (a submit_sm_resp message_id, a
// receipt's stat/err) end up in proto3 string fields, which proto3's parser refuses. The
// status must still land, with the bad bytes written as \xNN.
TEST_F(ReportPgTest, EventsWithTextThatIsNotUtf8StillLand) {
  StreamConsumer& consumer = StartConsumer(Options("report-utf8"), writer_.get());
  const std::string id = sms::NewUuidV7();
  const int64_t now = NowMs();
  // Serialized with placeholders of the right length, which are then swapped for the bytes a
  // hostile SMSC sends: protobuf itself will not serialize such text cleanly.
  auto with_bytes = [](const v1::StatusEvent& e, const std::string& placeholder,
                       const std::string& bytes) {
    std::string wire = e.SerializeAsString();
    wire.replace(wire.find(placeholder), placeholder.size(), bytes);
    return wire;
  };
  v1::StatusEvent submitted = Event(id, v1::STATUS_SUBMITTED, now + 10);
  submitted.set_operator_message_id("@@@@-1");
  v1::StatusEvent undelivered = Event(id, v1::STATUS_UNDELIVERED, now + 20);
  undelivered.set_error("stat:UNDELIV err:##");
  Add(Accepted(id, 55));
  AddRaw(with_bytes(submitted, "@@@@", "\xff\xfe\xc3("));
  AddRaw(with_bytes(undelivered, "##", "\xe9\x80"));

  ASSERT_TRUE(WaitFor([&] {
    auto row = Read(id);
    return row && row->status == "undelivered" && StreamLength() == 0;
  })) << "XLEN " << StreamLength();
  std::optional<Row> row = Read(id);
  EXPECT_EQ(row->operator_message_id, "\\xff\\xfe\\xc3(-1");
  EXPECT_EQ(row->error, "stat:UNDELIV err:\\xe9\\x80");
  EXPECT_EQ(row->submitted_ms, now + 10);
  EXPECT_EQ(row->done_ms, now + 20);
  EXPECT_EQ(row->cost, 55);
  EXPECT_EQ(consumer.stats().entries_repaired.load(), 2);
  EXPECT_EQ(consumer.stats().entries_dropped.load(), 0);
  EXPECT_EQ(PendingCount(), 0);
}

// A batch far larger than one COPY chunk, with text COPY would read as structure (tabs,
// newlines, backslashes, \N) and text that is not ASCII, comes back exactly.
TEST_F(ReportPgTest, LargeBatchWithAwkwardTextRoundTrips) {
  const std::vector<std::string> texts = {"tab\there", "new\nline", "back\\slash", "\\N",
                                          "r\r", "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85", "",
                                          std::string(300, 'x')};
  std::vector<MessageUpdate> updates;
  for (int i = 0; i < 3000; ++i) {
    MessageUpdate u;
    u.id = sms::NewUuidV7();
    u.account_id = account_;
    u.created_at_ms = sms::UuidV7TimeMs(u.id).value();
    u.status = v1::STATUS_ACCEPTED;
    u.to = "+98912" + std::to_string(1000000 + i);
    u.client_ref = texts[static_cast<size_t>(i) % texts.size()];
    u.cost = i;
    updates.push_back(std::move(u));
  }
  std::sort(updates.begin(), updates.end(),
            [](const MessageUpdate& a, const MessageUpdate& b) { return a.id < b.id; });
  Status s = writer_->Write(updates);
  ASSERT_TRUE(s.ok()) << s.ToString();
  for (size_t i : {size_t{0}, size_t{1}, size_t{2}, size_t{3}, size_t{4}, size_t{5}, size_t{6},
                   size_t{7}, size_t{1500}, size_t{2999}}) {
    std::optional<Row> row = Read(updates[i].id);
    ASSERT_TRUE(row.has_value()) << i;
    EXPECT_EQ(row->client_ref, updates[i].client_ref) << i;
    EXPECT_EQ(row->cost, updates[i].cost) << i;
    EXPECT_EQ(row->to, updates[i].to) << i;
    EXPECT_FALSE(row->error.has_value()) << i;
  }
  pqxx::nontransaction tx(*db_);
  EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM messages WHERE account_id = $1", account_)[0]
                .as<int64_t>(),
            3000);
}

// A PostgreSQL failure leaves the batch unacked; once that consumer is gone, another takes its
// pending entries over (XAUTOCLAIM) and writes them.
TEST_F(ReportPgTest, FailedBatchStaysPendingAndIsTakenOver) {
  // Same server, but `messages` cannot be found: every write fails (not a row's fault).
  config::PostgresConfig broken = pg_config_;
  broken.dsn += pg_config_.dsn.find("://") != std::string::npos
                    ? std::string(pg_config_.dsn.find('?') != std::string::npos ? "&" : "?") +
                          "options=-csearch_path%3Dreport_nowhere"
                    : " options='-csearch_path=report_nowhere'";
  Result<std::unique_ptr<pg::Pool>> broken_pool = pg::Pool::Open(broken);
  ASSERT_TRUE(broken_pool.ok()) << broken_pool.status().ToString();
  BatchWriter broken_writer(broken_pool.value().get());
  ConsumerOptions doomed = Options("report-doomed");
  doomed.maintenance_interval_ms = 3'600'000;
  StreamConsumer& first = StartConsumer(doomed, &broken_writer);

  const std::string id = sms::NewUuidV7();
  const int64_t now = NowMs();
  Add(Accepted(id, 99));
  Add(Event(id, v1::STATUS_SUBMITTED, now + 1));
  Add(Event(id, v1::STATUS_EXPIRED, now + 2));
  // Four failed tries: past the point where rows are tried one by one, and none was skipped.
  ASSERT_TRUE(WaitFor([&] { return first.stats().write_failures.load() >= 4; }));
  EXPECT_EQ(StreamLength(), 3);
  EXPECT_EQ(PendingCount(), 3);
  EXPECT_EQ(first.stats().entries_dropped.load(), 0);
  EXPECT_FALSE(Read(id).has_value());
  StopConsumer(*consumers_.back());  // abandons the batch, unacked
  EXPECT_EQ(PendingCount(), 3);

  ConsumerOptions heir = Options("report-heir");
  heir.claim_idle_ms = 200;
  heir.claim_interval_ms = 100;
  StreamConsumer& second = StartConsumer(heir, writer_.get());
  ASSERT_TRUE(WaitFor([&] {
    auto row = Read(id);
    return row && row->status == "expired" && StreamLength() == 0 && PendingCount() == 0;
  })) << "XLEN "
      << StreamLength() << ", pending " << PendingCount();
  EXPECT_EQ(second.stats().entries_claimed.load(), 3);
  std::optional<Row> row = Read(id);
  EXPECT_EQ(row->cost, 99);
  EXPECT_EQ(row->done_ms, now + 2);
}

// A writer slower than claim_idle_ms (here: the table is locked meanwhile) does not make its
// consumer take back its own pending entries and gather them twice: XAUTOCLAIM names no owner,
// so claims wait while the consumer holds entries that old.
TEST_F(ReportPgTest, SlowWriterDoesNotReclaimItsOwnEntries) {
  ConsumerOptions o = Options("report-slow");
  o.claim_idle_ms = 300;
  o.claim_interval_ms = 50;
  pqxx::connection blocker(pg_config_.dsn);
  pqxx::work lock(blocker);
  lock.exec0("LOCK TABLE messages IN EXCLUSIVE MODE");  // the upsert waits for it
  StreamConsumer& consumer = StartConsumer(o, writer_.get());
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    ids.push_back(sms::NewUuidV7());
    Add(Accepted(ids.back(), i));
  }
  ASSERT_TRUE(WaitFor([&] { return consumer.stats().entries_read.load() >= 20; }));
  // Well past claim_idle_ms with the batch stuck in the writer, and later entries gathered.
  const auto until = std::chrono::steady_clock::now() + milliseconds(1500);
  for (int i = 0; std::chrono::steady_clock::now() < until; ++i) {
    if (i < 5) {
      ids.push_back(sms::NewUuidV7());
      Add(Accepted(ids.back(), 100 + i));
    }
    std::this_thread::sleep_for(milliseconds(100));  // the load's pace, not a synchronisation
  }
  lock.commit();
  ASSERT_TRUE(WaitFor([&] { return Read(ids.back()).has_value() && StreamLength() == 0; }));
  EXPECT_EQ(consumer.stats().entries_claimed.load(), 0);
  EXPECT_EQ(consumer.stats().entries_read.load(), 25);
  for (const std::string& id : ids) EXPECT_TRUE(Read(id).has_value()) << id;
}

// The statement trigger's plan is made for the first batch a connection writes and then kept:
// planned for a one-row batch it once was a nested loop over the transition tables, and a batch
// of 20,000 rows then took minutes. On one connection, tiny batches first, then a big one: its
// time must stay linear. The bound is some 40 times what it takes here; the quadratic plan
// took over a minute.
TEST_F(ReportPgTest, BigBatchAfterTinyOnesStaysLinear) {
  config::PostgresConfig one = pg_config_;
  one.pool_size = 1;
  Result<std::unique_ptr<pg::Pool>> pool = pg::Pool::Open(one);
  ASSERT_TRUE(pool.ok()) << pool.status().ToString();
  BatchWriter writer(pool->get());
  auto updates = [&](const std::vector<std::string>& ids, v1::MessageStatus status) {
    std::vector<MessageUpdate> out;
    for (const std::string& id : ids) {
      MessageUpdate u;
      u.id = id;
      u.account_id = account_;
      u.created_at_ms = sms::UuidV7TimeMs(id).value();
      u.status = status;
      u.callback_url = "https://hooks.example.com/sms";  // such rows take the join
      out.push_back(std::move(u));
    }
    std::sort(out.begin(), out.end(), [](const MessageUpdate& a, const MessageUpdate& b) { return a.id < b.id; });
    return out;
  };
  const std::string first = sms::NewUuidV7();
  ASSERT_TRUE(writer.Write(updates({first}, v1::STATUS_ACCEPTED)).ok());
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(writer.Write(updates({first}, i % 2 == 0 ? v1::STATUS_SUBMITTED : v1::STATUS_DELIVERED)).ok());
  }
  std::vector<std::string> ids;
  for (int i = 0; i < 20000; ++i) ids.push_back(sms::NewUuidV7());
  ASSERT_TRUE(writer.Write(updates(ids, v1::STATUS_ACCEPTED)).ok());
  const auto started = std::chrono::steady_clock::now();
  Status s = writer.Write(updates(ids, v1::STATUS_SUBMITTED));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_LT(seconds, 30.0);
  pqxx::nontransaction tx(*db_);
  EXPECT_EQ(tx.exec_params1("SELECT messages FROM message_stats WHERE account_id = $1 AND status = 'submitted'",
                            account_)[0].as<int64_t>(),
            20000);
}

// The writer alone: status only moves up across batches, and a second final outcome keeps the
// first one's time and error.
TEST_F(ReportPgTest, UpsertNeverMovesStatusDown) {
  const std::string id = sms::NewUuidV7();
  const int64_t created = sms::UuidV7TimeMs(id).value();
  auto update = [&](v1::MessageStatus status) {
    MessageUpdate u;
    u.id = id;
    u.account_id = account_;
    u.created_at_ms = created;
    u.status = status;
    return u;
  };
  MessageUpdate failed = update(v1::STATUS_FAILED);
  failed.done_at_ms = created + 5;
  failed.error = "rejected";
  ASSERT_TRUE(writer_->Write({failed}).ok());
  MessageUpdate accepted = update(v1::STATUS_ACCEPTED);
  accepted.cost = 11;
  accepted.to = "+4917612345678";
  ASSERT_TRUE(writer_->Write({accepted}).ok());
  MessageUpdate delivered = update(v1::STATUS_DELIVERED);
  delivered.done_at_ms = created + 9;
  delivered.error = "late";
  ASSERT_TRUE(writer_->Write({delivered}).ok());
  std::optional<Row> row = Read(id);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->status, "failed");
  EXPECT_EQ(row->done_ms, created + 5);
  EXPECT_EQ(row->error, "rejected");
  EXPECT_EQ(row->cost, 11);
  EXPECT_EQ(row->to, "+4917612345678");
}

// A created_at far outside the prepared days gets its day's partition on the fly, and only that
// one; the retention sweep drops days wholly past retention and keeps the rest.
TEST_F(ReportPgTest, MissingPartitionIsCreatedAndExpiredOnesDropped) {
  const int64_t far = NowMs() + (1000 + static_cast<int64_t>(Rng()() % 2000)) * kMsPerDay;
  const std::string id = UuidV7At(far);
  const std::string partition = PartitionOf(far);
  const std::string next_day = PartitionOf(far + kMsPerDay);
  const bool existed = TableExists(partition);
  MessageUpdate u;
  u.id = id;
  u.account_id = account_;
  u.created_at_ms = far;
  u.status = v1::STATUS_ACCEPTED;
  Status s = writer_->Write({u});
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(TableExists(partition));
  if (!existed) {
    EXPECT_FALSE(TableExists(next_day));
  }
  ASSERT_TRUE(Read(id).has_value());
  EXPECT_EQ(Read(id)->created_ms, far);
  // Room on each page for the updates that follow an insert (migration 0002), whether the
  // partition was made on the fly or ahead of time.
  EXPECT_EQ(FillFactor(partition), "fillfactor=70");
  ASSERT_TRUE(writer_->EnsurePartitions(1, 7).ok());
  EXPECT_EQ(FillFactor(PartitionOf(NowMs() + 3 * kMsPerDay)), "fillfactor=70");

  const int64_t ancient = NowMs() - (2000 + static_cast<int64_t>(Rng()() % 2000)) * kMsPerDay;
  const std::string old_partition = PartitionOf(ancient);
  ASSERT_TRUE(writer_->EnsurePartitionsFor({ancient}).ok());
  ASSERT_TRUE(TableExists(old_partition));
  const std::string recent = PartitionOf(NowMs() - kMsPerDay);
  ASSERT_TRUE(writer_->EnsurePartitions(1, 7).ok());
  Result<std::vector<std::string>> dropped = writer_->DropExpiredPartitions(1000);
  ASSERT_TRUE(dropped.ok()) << dropped.status().ToString();
  EXPECT_NE(std::find(dropped->begin(), dropped->end(), old_partition), dropped->end());
  EXPECT_FALSE(TableExists(old_partition));
  EXPECT_TRUE(TableExists(recent));
  EXPECT_TRUE(TableExists(partition));  // the future is never expired
  Result<std::vector<std::string>> none = writer_->DropExpiredPartitions(0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// Review m1: a message already delivered (no error) that later gets another final outcome
// (an expiry, a dead letter's failure) keeps its status, time and empty error: the other
// outcome's error text never lands on it.
TEST_F(ReportPgTest, FinalStatusNeverTakesAnotherOutcomesError) {
  const std::string id = sms::NewUuidV7();
  const int64_t created = sms::UuidV7TimeMs(id).value();
  MessageUpdate delivered;
  delivered.id = id;
  delivered.account_id = account_;
  delivered.created_at_ms = created;
  delivered.status = v1::STATUS_DELIVERED;
  delivered.done_at_ms = created + 7;
  ASSERT_TRUE(writer_->Write({delivered}).ok());
  for (v1::MessageStatus other : {v1::STATUS_EXPIRED, v1::STATUS_FAILED}) {
    MessageUpdate late = delivered;
    late.status = other;
    late.done_at_ms = created + 99;
    late.error = "hold expired before it was sent";
    ASSERT_TRUE(writer_->Write({late}).ok());
  }
  std::optional<Row> row = Read(id);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->status, "delivered");
  EXPECT_FALSE(row->error.has_value()) << *row->error;
  EXPECT_EQ(row->done_ms, created + 7);
  // The same final status again (a duplicate receipt) may still fill in what was missing.
  MessageUpdate again = delivered;
  again.error = "stat:DELIVRD err:000";
  ASSERT_TRUE(writer_->Write({again}).ok());
  EXPECT_EQ(Read(id)->error, "stat:DELIVRD err:000");
}

// Review m14: an event that arrives for a day retention has dropped is acked and not written;
// its day's partition is not created again. A day inside retention still gets its partition.
TEST_F(ReportPgTest, LateEventForADroppedDayDoesNotRecreateItsPartition) {
  BatchWriter retaining(pool_.get());
  retaining.set_retention_days(1000);
  ConsumerOptions o = Options("report-retention");
  StreamConsumer& consumer = StartConsumer(o, &retaining);
  const int64_t dropped_day = NowMs() - (1500 + static_cast<int64_t>(Rng()() % 400)) * kMsPerDay;
  const int64_t kept_day = NowMs() - (500 + static_cast<int64_t>(Rng()() % 400)) * kMsPerDay;
  const std::string late = UuidV7At(dropped_day);
  const std::string kept = UuidV7At(kept_day);
  ASSERT_FALSE(TableExists(PartitionOf(dropped_day)));
  Add(Event(late, v1::STATUS_DELIVERED, NowMs()));
  Add(Accepted(kept, 5));
  ASSERT_TRUE(WaitFor([&] { return Read(kept).has_value() && StreamLength() == 0 && PendingCount() == 0; }))
      << "XLEN " << StreamLength();
  EXPECT_FALSE(Read(late).has_value());
  EXPECT_FALSE(TableExists(PartitionOf(dropped_day)));
  EXPECT_TRUE(TableExists(PartitionOf(kept_day)));
  EXPECT_EQ(retaining.expired_rows(), 1);
  EXPECT_EQ(consumer.stats().events_written.load(), 2);
}

// The stats aggregate (message_stats, kept by the statement triggers of migration 0020)
// equals a full count of the rows, after events in any order, duplicates, late costs, and two
// writers updating the same messages at once.
TEST_F(ReportPgTest, StatsAggregateMatchesTheRowsUnderConcurrentWriters) {
  constexpr int kMessages = 300;
  std::vector<std::string> ids;
  for (int i = 0; i < kMessages; ++i) {
    // Spread over three days and many hours.
    ids.push_back(UuidV7At(NowMs() - static_cast<int64_t>(Rng()() % (3 * kMsPerDay))));
  }
  ASSERT_TRUE(writer_->EnsurePartitions(4, 1).ok());
  auto events_for = [&](uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<MessageUpdate> all;
    for (int round = 0; round < 4; ++round) {
      for (const std::string& id : ids) {
        MessageUpdate u;
        u.id = id;
        u.account_id = account_;
        u.created_at_ms = sms::UuidV7TimeMs(id).value();
        const v1::MessageStatus statuses[] = {v1::STATUS_ACCEPTED, v1::STATUS_SUBMITTED, v1::STATUS_DELIVERED,
                                              v1::STATUS_UNDELIVERED, v1::STATUS_FAILED};
        u.status = statuses[rng() % 5];
        if (u.status == v1::STATUS_ACCEPTED) u.cost = static_cast<int64_t>(id[35] % 7 + 1);  // one cost per id
        all.push_back(u);
      }
    }
    std::shuffle(all.begin(), all.end(), rng);
    return all;
  };
  auto write_all = [&](BatchWriter* w, std::vector<MessageUpdate> all) {
    for (size_t i = 0; i < all.size(); i += 97) {
      std::vector<MessageUpdate> batch(all.begin() + static_cast<long>(i),
                                       all.begin() + static_cast<long>(std::min(all.size(), i + 97)));
      std::sort(batch.begin(), batch.end(), [](const MessageUpdate& a, const MessageUpdate& b) { return a.id < b.id; });
      batch.erase(std::unique(batch.begin(), batch.end(),
                              [](const MessageUpdate& a, const MessageUpdate& b) { return a.id == b.id; }),
                  batch.end());
      Status s;
      for (int attempt = 0; attempt < 5; ++attempt) {  // a deadlock victim retries, as the consumer does
        s = w->Write(batch);
        if (s.ok()) break;
      }
      ASSERT_TRUE(s.ok()) << s.ToString();
    }
  };
  BatchWriter second(pool_.get());
  std::thread other([&] { write_all(&second, events_for(2)); });
  write_all(writer_.get(), events_for(1));
  other.join();

  pqxx::nontransaction tx(*db_);
  const std::string truth = tx.exec_params1(R"SQL(
    SELECT string_agg(format('%s %s %s %s', h, status, n, c), '; ' ORDER BY h, status) FROM (
      SELECT date_trunc('hour', created_at, 'UTC') AS h, status, count(*) AS n, COALESCE(sum(cost), 0) AS c
      FROM messages WHERE account_id = $1 GROUP BY 1, 2) t)SQL", account_)[0].as<std::string>("");
  const std::string stats = tx.exec_params1(R"SQL(
    SELECT string_agg(format('%s %s %s %s', hour, status, messages, cost), '; ' ORDER BY hour, status)
    FROM message_stats WHERE account_id = $1 AND messages <> 0)SQL", account_)[0].as<std::string>("");
  EXPECT_FALSE(truth.empty());
  EXPECT_EQ(stats, truth);
  EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM messages WHERE account_id = $1", account_)[0].as<int>(), kMessages);
}

// Status changes of messages with a callback_url queue one webhook each (submitted, then the
// final status), in the transaction that writes them; a dlr_url queues the types its mask asks
// for; a callback_url that arrives after the receipt is told the state reached.
TEST_F(ReportPgTest, StatusChangesQueueTheirCallbacks) {
  StartConsumer(Options("report-callbacks"), writer_.get());
  const int64_t now = NowMs();
  const std::string hooked = sms::NewUuidV7();
  const std::string plain = sms::NewUuidV7();
  const std::string late = sms::NewUuidV7();
  const std::string kannel = sms::NewUuidV7();
  v1::StatusEvent a = Accepted(hooked, 10);
  a.set_callback_url("https://hooks.example.com/sms");
  Add(a);
  Add(Accepted(plain, 10));
  v1::StatusEvent k = Accepted(kannel, 10);
  k.set_dlr_url("https://kannel.example.com/dlr?t=%d&id=%I");
  k.set_dlr_mask(1 | 16);
  Add(k);
  ASSERT_TRUE(WaitFor([&] { return Read(hooked) && Read(plain) && Read(kannel) && StreamLength() == 0; }));
  for (const std::string& id : {hooked, plain, kannel}) Add(Event(id, v1::STATUS_SUBMITTED, now + 10));
  ASSERT_TRUE(WaitFor([&] { return Read(hooked)->status == "submitted" && StreamLength() == 0; }));
  v1::StatusEvent undelivered = Event(hooked, v1::STATUS_UNDELIVERED, now + 20);
  undelivered.set_error("absent subscriber");
  Add(undelivered);
  Add(Event(plain, v1::STATUS_DELIVERED, now + 20));
  Add(Event(kannel, v1::STATUS_DELIVERED, now + 20));
  Add(Event(hooked, v1::STATUS_DELIVERED, now + 30));  // a second outcome: no callback
  // Out of order: the receipt first, the accepted event with the callback_url after it.
  Add(Event(late, v1::STATUS_SUBMITTED, now + 10));
  Add(Event(late, v1::STATUS_DELIVERED, now + 20));
  ASSERT_TRUE(WaitFor([&] { return Read(late) && Read(kannel)->status == "delivered" && StreamLength() == 0; }));
  v1::StatusEvent la = Accepted(late, 10);
  la.set_callback_url("https://hooks.example.com/late");
  Add(la);
  ASSERT_TRUE(WaitFor([&] { return Read(late)->cost.has_value() && StreamLength() == 0; }));

  pqxx::nontransaction tx(*db_);
  auto told = [&](const std::string& id) {
    return tx.exec_params1("SELECT COALESCE(string_agg(kind || ':' || status, ',' ORDER BY id), '') "
                           "FROM webhook_deliveries WHERE message_id = $1::uuid",
                           id)[0]
        .as<std::string>();
  };
  EXPECT_EQ(told(hooked), "webhook:submitted,webhook:undelivered");
  EXPECT_EQ(told(plain), "");
  EXPECT_EQ(told(kannel), "dlr:delivered");  // mask 1|16: not the submitted (8)
  EXPECT_EQ(told(late), "webhook:delivered,webhook:submitted");
  nlohmann::json body = nlohmann::json::parse(
      tx.exec_params1("SELECT body FROM webhook_deliveries WHERE message_id = $1::uuid AND status = 'undelivered'",
                      hooked)[0]
          .as<std::string>());
  EXPECT_EQ(body["message_id"], hooked);
  EXPECT_EQ(body["status"], "undelivered");
  EXPECT_EQ(body["error"], "absent subscriber");
  EXPECT_EQ(body["to"], "+989121234567");
  EXPECT_EQ(body["at"].get<std::string>().size(), 24u);
  nlohmann::json dlr = nlohmann::json::parse(
      tx.exec_params1("SELECT body FROM webhook_deliveries WHERE message_id = $1::uuid", kannel)[0].as<std::string>());
  EXPECT_EQ(dlr["type"], 1);
  EXPECT_EQ(dlr["smsc"], "sim");
}

}  // namespace
}  // namespace smsgw::report
