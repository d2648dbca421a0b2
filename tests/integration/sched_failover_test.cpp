// Routing by prefix with failover (DESIGN.md section 5, smsgw.toml(5) "prefixes"): the
// operator with the longest matching prefix is chosen, and when its SMSC cannot be reached the
// next matching operator carries its messages, through the whole stack.
#include <gtest/gtest.h>
#include <tuple>

#include "stack.h"

namespace smsgw::testing {
namespace {

TEST(SchedFailoverTest, AnUnreachableOperatorsMessagesGoThroughTheNextMatchingOne) {
  Stack::Options options;
  // "down" serves +98912 (longer than the simulator's everything) but nothing listens on its
  // port on loopback: it never binds.
  options.extra_toml =
      "\n[[operators]]\nname = \"down\"\nhost = \"127.0.0.1\"\nport = 1\nsystem_id = \"smsgw\"\n"
      "password = \"x\"\nreconnect_max_s = 1\nprefixes = [\"+98912\"]\n";
  Stack stack(options);
  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("failover", 10, 1000);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(stack.SendText(key, "+98912123457" + std::to_string(i), "failover"));
  for (const std::string& id : ids) {
    EXPECT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, id) == "delivered"; }))
        << id << " is " << stack.MessageStatus(key, id);
  }
  EXPECT_NE(stack.process("smsgw-sched")->Log().find("smpp[down]: cannot bind to 127.0.0.1:1"), std::string::npos)
      << "the preferred operator was reachable: the test did not test anything";
  EXPECT_EQ(stack.Balance(account), 1000 - 5 * 10);
  EXPECT_EQ(stack.SimTotal("submits"), 5);
}

}  // namespace
}  // namespace smsgw::testing
