// GET /v1/messages, /v1/stats and /v1/messages/export through the real API, smsgw-report and
// PostgreSQL, and the same through `smsctl report`: keyset pages over three days of partitions
// with equal timestamps give every row exactly once, filters combine, bad parameters are 400
// naming the parameter, and no account sees another's messages.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <random>
#include <set>

#include "common/rfc3339.h"
#include "report_rows.h"
#include "sms/uuid7.h"
#include "stack.h"

namespace smsgw::testing {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;

struct Msg {
  std::string id;
  int64_t account;
  int64_t ms;
  std::string status, to, client_ref;
  int64_t cost;
};

class ReportListTest : public ::testing::Test {
 protected:
  static Stack::Options Opts() {
    Stack::Options o;
    o.sim = o.sched = false;
    return o;
  }
  ReportListTest() : stack_(Opts()) {}

  // Rows of two accounts on three UTC days (today, yesterday, the day before), four instants a
  // day, several rows sharing each instant.
  void SetUp() override {
    std::tie(a_, key_a_) = stack_.CreateFundedAccount("list-a", 10, 0);
    std::tie(b_, key_b_) = stack_.CreateFundedAccount("list-b", 10, 0);
    std::mt19937_64 rng(7);
    const int64_t today = NowMs() / kMsPerDay * kMsPerDay;
    const char* statuses[] = {"accepted", "submitted", "delivered", "undelivered", "failed"};
    pqxx::connection c(stack_.dsn());
    pqxx::work tx(c);
    tx.exec("SELECT smsgw_ensure_message_partitions(3, 1)");
    int n = 0;
    for (int day = 0; day < 3; ++day) {
      for (int instant = 0; instant < 4; ++instant) {
        const int64_t ms = today - day * kMsPerDay + instant * 3'600'000 + 1234;
        if (ms > NowMs()) continue;  // keep to the past, so since/until below are meaningful
        for (int k = 0; k < 9; ++k, ++n) {
          Msg m{sms::UuidV7At(ms, rng()), k < 7 ? a_ : b_, ms, statuses[n % 5], "+9891200000" + std::to_string(n % 3),
                n % 4 == 0 ? "order-" + std::to_string(n % 8) : "", n % 5 + 1};
          tx.exec_params0(
              "INSERT INTO messages (id, account_id, created_at, status, to_number, client_ref, cost, segments, "
              "encoding, priority) VALUES ($1::uuid, $2, TIMESTAMPTZ 'epoch' + $3 * INTERVAL '1 millisecond', $4, "
              "$5, NULLIF($6, ''), $7, 1, 'gsm7', 'normal')",
              m.id, m.account, m.ms, m.status, m.to, m.client_ref, m.cost);
          rows_.push_back(m);
        }
      }
    }
    tx.commit();
  }

  static int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  // Every page of `query` (without limit/cursor), in order; fails the test on a non-200.
  std::vector<std::string> AllPages(const std::string& key, const std::string& query, int limit, int* pages = nullptr) {
    std::vector<std::string> ids;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
      std::string target = "/v1/messages?limit=" + std::to_string(limit) + (query.empty() ? "" : "&" + query);
      if (!cursor.empty()) target += "&cursor=" + cursor;
      HttpResponse r = stack_.Api("GET", target, "", key);
      EXPECT_EQ(r.status, 200) << target << ": " << r.body;
      if (r.status != 200) break;
      nlohmann::json j = r.Json();
      EXPECT_LE(j["messages"].size(), static_cast<size_t>(limit));
      for (const auto& m : j["messages"]) ids.push_back(m["id"]);
      if (pages != nullptr) ++*pages;
      if (j["next_cursor"].is_null()) break;
      cursor = j["next_cursor"];
    }
    return ids;
  }

  // The ids the filter should give, newest first (created_at, then id, descending).
  std::vector<std::string> Expected(int64_t account, const std::function<bool(const Msg&)>& keep) {
    std::vector<Msg> kept;
    for (const Msg& m : rows_) {
      if (m.account == account && keep(m)) kept.push_back(m);
    }
    std::sort(kept.begin(), kept.end(), [](const Msg& x, const Msg& y) { return std::tie(x.ms, x.id) > std::tie(y.ms, y.id); });
    std::vector<std::string> ids;
    for (const Msg& m : kept) ids.push_back(m.id);
    return ids;
  }

  void ExpectProblem(const std::string& target, const std::string& detail_prefix) {
    HttpResponse r = stack_.Api("GET", target, "", key_a_);
    EXPECT_EQ(r.status, 400) << target << ": " << r.body;
    if (r.status != 400) return;
    EXPECT_EQ(r.Header("content-type"), "application/problem+json");
    nlohmann::json j = r.Json();
    EXPECT_EQ(j["code"], "invalid_argument");
    EXPECT_EQ(j["detail"].get<std::string>().rfind(detail_prefix, 0), 0u) << target << ": " << j["detail"];
  }

  Stack stack_;
  int64_t a_ = 0, b_ = 0;
  std::string key_a_, key_b_;
  std::vector<Msg> rows_;
};

TEST_F(ReportListTest, PagesGiveEveryRowOnceAcrossDaysWithEqualTimestamps) {
  const std::vector<std::string> want = Expected(a_, [](const Msg&) { return true; });
  ASSERT_GE(want.size(), 50u);
  for (int limit : {1, 7, 1000}) {
    int pages = 0;
    EXPECT_EQ(AllPages(key_a_, "", limit, &pages), want) << "limit " << limit;
    EXPECT_EQ(pages, static_cast<int>((want.size() + limit - 1) / limit)) << "limit " << limit;
  }
  // The other account sees only its own, and cannot read A's through A's cursor.
  const std::vector<std::string> b_want = Expected(b_, [](const Msg&) { return true; });
  EXPECT_EQ(AllPages(key_b_, "", 5), b_want);
  HttpResponse first = stack_.Api("GET", "/v1/messages?limit=3", "", key_a_);
  const std::string cursor = first.Json()["next_cursor"];
  HttpResponse cross = stack_.Api("GET", "/v1/messages?limit=1000&cursor=" + cursor, "", key_b_);
  ASSERT_EQ(cross.status, 200);
  const nlohmann::json cross_page = cross.Json();  // kept: a range-for over a temporary's member dangles
  for (const auto& m : cross_page.at("messages")) EXPECT_EQ(std::count(b_want.begin(), b_want.end(), m["id"]), 1);
  // A page's fields.
  nlohmann::json m = first.Json()["messages"][0];
  EXPECT_EQ(m["id"], want[0]);
  EXPECT_TRUE(m.contains("status") && m.contains("to") && m.contains("cost") && m.contains("accepted_at"));
}

TEST_F(ReportListTest, FiltersCombine) {
  const int64_t today = NowMs() / kMsPerDay * kMsPerDay;
  const std::string since = FormatRfc3339Ms(today - kMsPerDay);
  const std::string until = FormatRfc3339Ms(today + 2 * 3'600'000 + 1234);  // exclusive: instants 0 and 1 of today
  struct Case {
    std::string query;
    std::function<bool(const Msg&)> keep;
  };
  const std::vector<Case> cases = {
      {"status=delivered", [](const Msg& m) { return m.status == "delivered"; }},
      {"status=failed,undelivered", [](const Msg& m) { return m.status == "failed" || m.status == "undelivered"; }},
      {"to=%2B98912000001", [](const Msg& m) { return m.to == "+98912000001"; }},
      {"to=+98912000002&status=accepted", [](const Msg& m) { return m.to == "+98912000002" && m.status == "accepted"; }},
      {"client_ref=order-0", [](const Msg& m) { return m.client_ref == "order-0"; }},
      {"client_ref=order-4&to=%2B98912000001", [](const Msg& m) { return m.client_ref == "order-4" && m.to == "+98912000001"; }},
      {"since=" + since, [&](const Msg& m) { return m.ms >= today - kMsPerDay; }},
      {"until=" + until, [&](const Msg& m) { return m.ms < today + 2 * 3'600'000 + 1234; }},
      {"since=" + since + "&until=" + until + "&status=submitted,accepted",
       [&](const Msg& m) {
         return m.ms >= today - kMsPerDay && m.ms < today + 2 * 3'600'000 + 1234 &&
                (m.status == "submitted" || m.status == "accepted");
       }},
      {"status=expired", [](const Msg& m) { return m.status == "expired"; }},
  };
  for (const Case& c : cases) {
    const std::vector<std::string> want = Expected(a_, c.keep);
    EXPECT_EQ(AllPages(key_a_, c.query, 4), want) << c.query;
  }
}

TEST_F(ReportListTest, BadParametersAre400NamingTheParameter) {
  ExpectProblem("/v1/messages?cursor=not-a-cursor", "cursor:");
  ExpectProblem("/v1/messages?cursor=AAAAAAAAAAAAAAAAAAAAAA", "cursor:");
  ExpectProblem("/v1/messages?cursor=", "cursor:");
  ExpectProblem("/v1/messages?limit=0", "limit:");
  ExpectProblem("/v1/messages?limit=1001", "limit:");
  ExpectProblem("/v1/messages?limit=abc", "limit:");
  ExpectProblem("/v1/messages?status=sent", "status:");
  ExpectProblem("/v1/messages?since=yesterday", "since:");
  ExpectProblem("/v1/messages?until=2026-02-30", "until:");
  ExpectProblem("/v1/messages?since=2026-11-02&until=2026-11-01", "until:");
  ExpectProblem("/v1/messages?to=0912", "to:");
  ExpectProblem("/v1/messages?offset=10", "offset:");
  ExpectProblem("/v1/stats?days=0", "days:");
  ExpectProblem("/v1/stats?days=400", "days:");
  ExpectProblem("/v1/messages/export?format=xml", "format:");
  ExpectProblem("/v1/messages/export?status=lost", "status:");
  EXPECT_EQ(stack_.Api("GET", "/v1/messages", "", "").status, 401);
  EXPECT_EQ(stack_.Api("GET", "/v1/messages/export", "", "").status, 401);
}

TEST_F(ReportListTest, StatsCountEveryMessageUnderItsStatusPerDay) {
  HttpResponse r = stack_.Api("GET", "/v1/stats?days=3", "", key_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  nlohmann::json j = r.Json();
  ASSERT_EQ(j["days"].size(), 3u);
  EXPECT_EQ(j["hours"].size(), 24u);
  std::map<std::string, std::pair<int64_t, int64_t>> want;  // "date status" -> messages, cost
  for (const Msg& m : rows_) {
    if (m.account != a_) continue;
    auto& w = want[FormatRfc3339Ms(m.ms).substr(0, 10) + " " + m.status];
    ++w.first;
    w.second += m.cost;
  }
  std::map<std::string, std::pair<int64_t, int64_t>> got;
  int64_t total = 0;
  for (const auto& day : j["days"]) {
    total += day["messages"].get<int64_t>();
    for (const auto& [status, v] : day["by_status"].items()) {
      got[day["date"].get<std::string>() + " " + status] = {v["messages"], v["cost"]};
    }
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(total, static_cast<int64_t>(Expected(a_, [](const Msg&) { return true; }).size()));

  CommandResult cli = stack_.Smsctl({"report", "stats", "--account", std::to_string(a_), "--days", "3", "-o", "json"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  int64_t cli_total = 0;
  for (const auto& row : nlohmann::json::parse(cli.out)) cli_total += row["messages"].get<int64_t>();
  EXPECT_EQ(cli_total, total);
}

TEST_F(ReportListTest, ExportStreamsCsvAndJsonLines) {
  const std::vector<std::string> all = Expected(a_, [](const Msg&) { return true; });
  HttpResponse csv = stack_.Api("GET", "/v1/messages/export?format=csv", "", key_a_);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.Header("transfer-encoding"), "chunked");
  EXPECT_EQ(csv.Header("content-type"), "text/csv; charset=utf-8");
  const size_t lines = static_cast<size_t>(std::count(csv.body.begin(), csv.body.end(), '\n'));
  EXPECT_EQ(lines, all.size() + 1) << csv.body.substr(0, 2000);
  EXPECT_EQ(csv.body.rfind("id,status,to,from,", 0), 0u);
  for (const std::string& id : all) EXPECT_NE(csv.body.find(id), std::string::npos);

  HttpResponse jsonl = stack_.Api("GET", "/v1/messages/export?format=jsonl&status=delivered", "", key_a_);
  ASSERT_EQ(jsonl.status, 200);
  std::istringstream in(jsonl.body);
  std::set<std::string> seen;
  for (std::string line; std::getline(in, line);) {
    nlohmann::json m = nlohmann::json::parse(line);
    EXPECT_EQ(m["status"], "delivered");
    seen.insert(m["id"].get<std::string>());
  }
  const std::vector<std::string> delivered = Expected(a_, [](const Msg& m) { return m.status == "delivered"; });
  EXPECT_EQ(seen, std::set<std::string>(delivered.begin(), delivered.end()));
  // Nothing in range: an empty, well-formed answer.
  HttpResponse none = stack_.Api("GET", "/v1/messages/export?format=jsonl&since=2001-01-01&until=2001-01-02", "", key_a_);
  EXPECT_EQ(none.status, 200);
  EXPECT_EQ(none.body, "");
  // The other account's export holds none of A's.
  HttpResponse other = stack_.Api("GET", "/v1/messages/export", "", key_b_);
  ASSERT_EQ(other.status, 200);
  EXPECT_EQ(other.body.find(all[0]), std::string::npos);
}

TEST_F(ReportListTest, SmsctlReportShowListExport) {
  const std::vector<std::string> all = Expected(a_, [](const Msg&) { return true; });
  CommandResult show = stack_.Smsctl({"report", "show", all[0], "-o", "json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(nlohmann::json::parse(show.out)["account_id"], a_);
  EXPECT_EQ(stack_.Smsctl({"report", "show", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"}).exit_code, 3);
  EXPECT_EQ(stack_.Smsctl({"report", "show", "nonsense"}).exit_code, 2);

  CommandResult page = stack_.Smsctl({"report", "list", "--account", std::to_string(a_), "--limit", "5", "-o", "json"});
  ASSERT_EQ(page.exit_code, 0) << page.err;
  nlohmann::json rows = nlohmann::json::parse(page.out);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0]["id"], all[0]);
  const size_t at = page.err.find("--cursor ");
  ASSERT_NE(at, std::string::npos) << page.err;
  const std::string cursor = page.err.substr(at + 9, 22);
  CommandResult next = stack_.Smsctl(
      {"report", "list", "--account", std::to_string(a_), "--limit", "5", "--cursor", cursor, "-o", "csv"});
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_NE(next.out.find(all[5]), std::string::npos);
  EXPECT_EQ(next.out.find(all[4]), std::string::npos);
  EXPECT_EQ(stack_.Smsctl({"report", "list", "--account", std::to_string(a_), "--cursor", "junk"}).exit_code, 2);
  EXPECT_EQ(stack_.Smsctl({"report", "list", "--account", std::to_string(a_), "--status", "lost"}).exit_code, 2);

  const std::string file = "/tmp/smsgw-report-export-" + std::to_string(getpid()) + ".jsonl";
  CommandResult ex = stack_.Smsctl({"report", "export", "--account", std::to_string(a_), "--since", "2001-01-01",
                                    "--until", FormatRfc3339Ms(NowMs() + kMsPerDay), "--format", "jsonl", "-o", file});
  ASSERT_EQ(ex.exit_code, 0) << ex.err;
  EXPECT_NE(ex.err.find("exported " + std::to_string(all.size()) + " rows"), std::string::npos) << ex.err;
  std::ifstream in(file);
  size_t lines = 0;
  for (std::string line; std::getline(in, line); ++lines) EXPECT_TRUE(nlohmann::json::accept(line)) << line;
  EXPECT_EQ(lines, all.size());
  std::remove(file.c_str());
  CommandResult bad = stack_.Smsctl({"report", "export", "--account", std::to_string(a_), "--since", "2026-11-02",
                                     "--until", "2026-11-01"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--until"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace smsgw::testing
