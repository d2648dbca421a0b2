// smsgw-api: SendBatcher coalesces concurrent sends into few ledger calls, answers each
// submission with its own results, bounds its queue, and answers everything on Stop.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "api/send_batcher.h"

namespace smsgw::api {
namespace {

using namespace std::chrono_literals;

v1::Envelope Message(int64_t account, int n) {
  v1::Envelope e;
  e.set_id("m-" + std::to_string(account) + "-" + std::to_string(n));
  e.set_account_id(account);
  e.set_cost(1);
  return e;
}

// A ledger that refuses messages of account 13 and records each call's size; a Redis that
// accepts everything. `gate` can hold every ledger call until opened.
struct World {
  std::mutex mu;
  std::vector<int> batch_sizes;
  std::condition_variable cv;
  bool open = true;

  void Open() {
    {
      std::lock_guard lock(mu);
      open = true;
    }
    cv.notify_all();
  }

  SendDeps Deps() {
    SendDeps d;
    d.debit = [this](const v1::DebitBatchRequest& req) -> Result<v1::DebitBatchReply> {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return open; });
      batch_sizes.push_back(req.items_size());
      v1::DebitBatchReply reply;
      for (const auto& item : req.items()) {
        reply.add_items()->set_result(item.account_id() == 13 ? v1::LEDGER_INSUFFICIENT_FUNDS : v1::LEDGER_OK);
      }
      return reply;
    };
    d.refund = [](const v1::RefundBatchRequest&) -> Result<v1::RefundBatchReply> { return v1::RefundBatchReply{}; };
    d.pipeline = [](const std::vector<redis::Command>& cmds) -> Result<std::vector<redis::Reply>> {
      redis::Reply ok;
      ok.type = redis::Reply::Type::kStatus;
      return std::vector<redis::Reply>(cmds.size(), ok);
    };
    return d;
  }
};

TEST(ApiSendBatcherTest, ConcurrentSendsShareLedgerCalls) {
  World world;
  world.open = false;  // hold the first call so the others pile up behind it
  SendBatcher::Options options;
  options.workers = 1;
  options.max_wait = 0us;
  SendBatcher batcher(options, world.Deps());
  constexpr int kSends = 200;
  std::vector<std::future<std::vector<Status>>> answers;
  for (int i = 0; i < kSends; ++i) {
    auto p = std::make_shared<std::promise<std::vector<Status>>>();
    answers.push_back(p->get_future());
    batcher.Submit({Message(i % 2 == 0 ? 7 : 13, i)}, [p](std::vector<Status> s) { p->set_value(std::move(s)); });
  }
  world.Open();
  for (int i = 0; i < kSends; ++i) {
    ASSERT_EQ(answers[i].wait_for(10s), std::future_status::ready);
    std::vector<Status> s = answers[i].get();
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].ok(), i % 2 == 0) << i;
  }
  std::lock_guard lock(world.mu);
  int total = 0;
  for (int n : world.batch_sizes) total += n;
  EXPECT_EQ(total, kSends);
  // The first call held everyone else: they went together in very few calls.
  EXPECT_LE(world.batch_sizes.size(), 3u);
}

TEST(ApiSendBatcherTest, ASubmissionIsNeverSplitAndBatchesStayUnderTheLimit) {
  World world;
  world.open = false;
  SendBatcher::Options options;
  options.workers = 1;
  options.max_items = 10;
  options.max_wait = 0us;
  SendBatcher batcher(options, world.Deps());
  std::atomic<int> answered{0};
  for (int k = 0; k < 7; ++k) {
    std::vector<v1::Envelope> four;
    for (int i = 0; i < 4; ++i) four.push_back(Message(7, k * 4 + i));
    batcher.Submit(std::move(four), [&](std::vector<Status> s) {
      EXPECT_EQ(s.size(), 4u);
      ++answered;
    });
  }
  world.Open();
  batcher.Stop();
  EXPECT_EQ(answered.load(), 7);
  for (int n : world.batch_sizes) {
    EXPECT_EQ(n % 4, 0);
    EXPECT_LE(n, 10);
  }
}

TEST(ApiSendBatcherTest, AFullQueueRefusesAtOnce) {
  World world;
  world.open = false;
  SendBatcher::Options options;
  options.workers = 1;
  options.max_items = 5;
  options.max_queued_items = 5;
  options.max_wait = 0us;
  SendBatcher batcher(options, world.Deps());
  std::atomic<int> ok{0};
  std::atomic<int> refused{0};
  auto count = [&](std::vector<Status> s) {
    for (const Status& x : s) (x.ok() ? ok : refused)++;
  };
  std::vector<v1::Envelope> five;
  for (int i = 0; i < 5; ++i) five.push_back(Message(7, i));
  batcher.Submit(five, count);
  // The worker takes the first five and blocks in the ledger; then five fill the queue.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (batcher.batches_run() == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  if (batcher.batches_run() != 1u) {
    world.Open();  // let the worker finish, so the batcher can stop
    FAIL() << "the first batch never started";
  }
  batcher.Submit(five, count);
  batcher.Submit({Message(7, 99)}, count);
  EXPECT_EQ(refused.load(), 1);  // answered before Submit returned
  world.Open();
  batcher.Stop();
  EXPECT_EQ(ok.load(), 10);
  EXPECT_EQ(refused.load(), 1);
}

TEST(ApiSendBatcherTest, TheWaitForCompanyIsBounded) {
  World world;
  SendBatcher::Options options;
  options.workers = 1;
  options.max_wait = 2ms;
  SendBatcher batcher(options, world.Deps());
  std::promise<void> done;
  const auto start = std::chrono::steady_clock::now();
  batcher.Submit({Message(7, 1)}, [&](std::vector<Status>) { done.set_value(); });
  // Alone, the send goes after max_wait (generously bounded for a loaded machine).
  ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 2ms);
}

}  // namespace
}  // namespace smsgw::api
