// The hand-over between smsgw-report's reading thread and its writer: when a batch is due, how
// it grows while the writer is busy, and the backpressure at its limit.
#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "report/batch_slot.h"

namespace smsgw::report {
namespace {

using std::chrono::milliseconds;
constexpr auto kHour = std::chrono::hours(1);
constexpr auto kTestDeadline = std::chrono::seconds(10);

// `n` entries named prefix0, prefix1, ...; every one decodable.
std::pair<std::vector<std::string>, std::vector<v1::StatusEvent>> Entries(const std::string& prefix,
                                                                          int n) {
  std::vector<std::string> ids;
  std::vector<v1::StatusEvent> events;
  for (int i = 0; i < n; ++i) {
    ids.push_back(prefix + std::to_string(i));
    events.emplace_back().set_at_ms(i);
  }
  return {ids, events};
}

void Append(BatchSlot& slot, const std::string& prefix, int n) {
  auto [ids, events] = Entries(prefix, n);
  slot.Append(std::move(ids), std::move(events));
}

TEST(ReportBatchSlot, DueAtItsRowCount) {
  BatchSlot slot(3, kHour, 100);
  auto taken = std::async(std::launch::async, [&] { return slot.Take(); });
  Append(slot, "a", 2);
  Append(slot, "b", 1);
  ASSERT_EQ(taken.wait_for(kTestDeadline), std::future_status::ready);
  std::optional<Batch> batch = taken.get();
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->ids, (std::vector<std::string>{"a0", "a1", "b0"}));
  EXPECT_EQ(batch->events.size(), 3u);
  EXPECT_EQ(slot.size(), 0u);
}

TEST(ReportBatchSlot, DueWhenItsFirstEntryIsOldEnough) {
  BatchSlot slot(1000, milliseconds(80), 10000);
  const auto start = BatchSlot::Clock::now();
  Append(slot, "a", 1);
  std::optional<Batch> batch = slot.Take();
  ASSERT_TRUE(batch.has_value());
  EXPECT_GE(BatchSlot::Clock::now() - start, milliseconds(80));
  EXPECT_EQ(batch->ids.size(), 1u);
}

TEST(ReportBatchSlot, GrowsWhileNobodyTakesItUpToItsLimit) {
  BatchSlot slot(2, kHour, 5);
  EXPECT_EQ(slot.WaitForRoom(milliseconds(0)), 5u);
  Append(slot, "a", 2);  // due, but the writer is busy elsewhere
  EXPECT_EQ(slot.WaitForRoom(milliseconds(0)), 3u);
  Append(slot, "b", 4);  // one read may go past the limit
  EXPECT_EQ(slot.size(), 6u);
  EXPECT_EQ(slot.WaitForRoom(milliseconds(1)), 0u);

  auto room = std::async(std::launch::async, [&] { return slot.WaitForRoom(kTestDeadline); });
  std::optional<Batch> batch = slot.Take();
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->ids.size(), 6u);
  EXPECT_EQ(batch->events.size(), 6u);
  EXPECT_EQ(batch->ids.back(), "b3");
  ASSERT_EQ(room.wait_for(kTestDeadline), std::future_status::ready);
  EXPECT_EQ(room.get(), 5u);
}

TEST(ReportBatchSlot, CloseHandsOutWhatIsLeftAtOnceThenNothing) {
  BatchSlot slot(1000, kHour, 10000);
  auto ids = std::vector<std::string>{"x", "y"};
  std::vector<v1::StatusEvent> events(1);  // "y" was not decodable
  slot.Append(std::move(ids), std::move(events));
  slot.Close();
  EXPECT_TRUE(slot.closed());
  EXPECT_EQ(slot.WaitForRoom(kHour), 0u);
  std::optional<Batch> batch = slot.Take();
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->ids.size(), 2u);
  EXPECT_EQ(batch->events.size(), 1u);
  EXPECT_FALSE(slot.Take().has_value());
}

TEST(ReportBatchSlot, CloseWakesAWaitingWriter) {
  BatchSlot slot(10, kHour, 100);
  auto taken = std::async(std::launch::async, [&] { return slot.Take(); });
  slot.Close();
  ASSERT_EQ(taken.wait_for(kTestDeadline), std::future_status::ready);
  EXPECT_FALSE(taken.get().has_value());
}

}  // namespace
}  // namespace smsgw::report
