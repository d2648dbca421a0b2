// A million rows exported through GET /v1/messages/export (HTTP chunked, from smsgw-report's
// COPY over a gRPC stream) in constant memory: the resident memory of smsgw-api and
// smsgw-report is sampled while the ~150 MB body streams to a client that reads it as it
// comes, and neither grows by more than a small fixed amount.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>
#include <tuple>

#include "report_rows.h"
#include "sanitizers.h"
#include "stack.h"

namespace smsgw::testing {
namespace {

constexpr int64_t kRows = 1'000'000;
// Far below the body (~150 MB): what buffers of a few chunks, gRPC and the allocator may add.
constexpr int64_t kMaxGrowthKb = 48 * 1024;

int64_t RssKb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

struct Download {
  int64_t bytes = 0;
  int64_t lines = 0;
  std::string head;  // the first bytes, to check the header line
};

size_t Count(char* data, size_t size, size_t n, void* user) {
  auto* d = static_cast<Download*>(user);
  const size_t len = size * n;
  if (d->head.size() < 200) d->head.append(data, std::min(len, 200 - d->head.size()));
  d->bytes += static_cast<int64_t>(len);
  d->lines += std::count(data, data + len, '\n');
  return len;
}

TEST(ReportExportTest, AMillionRowsStreamInConstantMemory) {
  Stack::Options o;
  o.sim = o.sched = false;
  Stack stack(o);
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("exporter", 10, 0);
  const int64_t first_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count() -
      2 * 86'400'000;
  InsertMessagesSql(stack.dsn(), account, first_ms, kRows, /*statement_triggers=*/false);

  const pid_t api = stack.process("smsgw-api")->pid();
  const pid_t report = stack.process("smsgw-report")->pid();
  const int64_t api_before = RssKb(api), report_before = RssKb(report);
  std::atomic<bool> done{false};
  std::atomic<int64_t> api_max{api_before}, report_max{report_before};
  std::thread sampler([&] {
    while (!done) {
      api_max = std::max(api_max.load(), RssKb(api));
      report_max = std::max(report_max.load(), RssKb(report));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });

  Download d;
  CURL* curl = curl_easy_init();
  const std::string url = "http://127.0.0.1:" + std::to_string(stack.api_port()) + "/v1/messages/export?format=csv";
  const std::string auth = "Authorization: Bearer " + key;
  curl_slist* headers = curl_slist_append(nullptr, auth.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Count);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &d);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 240L);
  curl_easy_setopt(curl, CURLOPT_PROXY, "");
  const auto started = std::chrono::steady_clock::now();
  const CURLcode rc = curl_easy_perform(curl);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  done = true;
  sampler.join();

  ASSERT_EQ(rc, CURLE_OK) << curl_easy_strerror(rc);
  EXPECT_EQ(code, 200);
  EXPECT_EQ(d.lines, kRows + 1);  // the header line, then one per message
  EXPECT_EQ(d.head.rfind("id,status,to,", 0), 0u) << d.head;
  const int64_t api_growth = api_max - api_before, report_growth = report_max - report_before;
  std::printf("exported %lld rows, %lld bytes in %.1f s; RSS growth: smsgw-api %lld kB, smsgw-report %lld kB\n",
              static_cast<long long>(kRows), static_cast<long long>(d.bytes), seconds,
              static_cast<long long>(api_growth), static_cast<long long>(report_growth));
  EXPECT_GT(d.bytes, 100'000'000);
  if (!kUnderAsan) {
    EXPECT_LT(api_growth, kMaxGrowthKb);
    EXPECT_LT(report_growth, kMaxGrowthKb);
  }
}

}  // namespace
}  // namespace smsgw::testing
