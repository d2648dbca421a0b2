// smsgw against an SMSC it did not write: tests/integration/smpp_peer.js on the npm package
// `smpp` (installed by scripts/test into build/node). UCS-2 text, concatenated parts (UDH) and
// delivery receipts must interoperate, not only with smsgw-smsc-sim.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <tuple>

#include "stack.h"

namespace smsgw::testing {
namespace {

std::vector<nlohmann::json> PeerLog(Process* peer) {
  std::vector<nlohmann::json> out;
  std::istringstream in(peer->Log());
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] != '{') continue;
    out.push_back(nlohmann::json::parse(line, nullptr, false));
  }
  return out;
}

TEST(SmppInteropTest, Ucs2PartsAndReceiptsWithAnIndependentSmsc) {
  Stack::Options options;
  options.sim = false;
  options.sched = false;
  Stack stack(options);
  const std::string modules = std::string(SMSGW_BUILD_DIR) + "/node/node_modules";
  Process peer("smpp-peer",
               {"/usr/bin/env", "NODE_PATH=" + modules, "node", std::string(SMSGW_SOURCE_DIR) + "/tests/integration/smpp_peer.js",
                std::to_string(stack.smsc_port())},
               stack.config_path().substr(0, stack.config_path().rfind('/')) + "/smpp-peer.log");
  ASSERT_TRUE(WaitUntil([&] { return peer.Log().find("listening") != std::string::npos || !peer.Running(); }))
      << peer.Log();
  ASSERT_TRUE(peer.Running()) << "node or the npm package smpp is missing (scripts/test installs it): " << peer.Log();
  stack.Start("smsgw-sched");

  int64_t account = 0;
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("interop", 10, 1000);
  const std::string persian = "سلام دنیا، این یک پیام است";
  std::string long_text;
  for (int i = 0; i < 30; ++i) long_text += "part" + std::to_string(i) + " ";  // 2 GSM-7 parts
  std::vector<std::string> ids;
  for (const std::string& text : {persian, long_text}) {
    HttpResponse r = stack.Api("POST", "/v1/messages", nlohmann::json{{"to", "+989121234567"}, {"text", text}}.dump(), key);
    ASSERT_EQ(r.status, 202) << r.body;
    ids.push_back(r.Json().at("id"));
  }
  for (const std::string& id : ids) {
    EXPECT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, id) == "delivered"; })) << stack.MessageStatus(key, id)
                                                                                        << "\n" << peer.Log();
  }
  std::vector<nlohmann::json> log = PeerLog(&peer);
  std::vector<nlohmann::json> submits;
  int acked = 0;
  for (const auto& e : log) {
    if (e.value("event", "") == "submit_sm") submits.push_back(e);
    if (e.value("event", "") == "receipt_acked" && e.value("command_status", -1) == 0) ++acked;
  }
  ASSERT_EQ(submits.size(), 3u) << peer.Log();
  // UCS-2, decoded by the peer to the same text.
  EXPECT_EQ(submits[0].at("data_coding"), 8);
  EXPECT_EQ(submits[0].at("text"), persian);
  // Two parts with one concatenation UDH reference, 1/2 and 2/2; together the text.
  std::string joined;
  std::set<std::string> refs;
  for (size_t i = 1; i < 3; ++i) {
    ASSERT_EQ(submits[i].at("udh").size(), 1u) << submits[i].dump();
    const std::string udh = submits[i].at("udh")[0];  // IEI 00, length 03, ref, total, index
    ASSERT_EQ(udh.size(), 10u);
    EXPECT_EQ(udh.substr(0, 4), "0003");
    refs.insert(udh.substr(4, 2));
    EXPECT_EQ(udh.substr(6, 2), "02");
    EXPECT_EQ(udh.substr(8, 2), i == 1 ? "01" : "02");
    EXPECT_EQ(submits[i].at("data_coding"), 0);
    joined += submits[i].at("text").get<std::string>();
  }
  EXPECT_EQ(refs.size(), 1u);
  EXPECT_EQ(joined, long_text);
  // Every receipt the peer sent was acknowledged ESME_ROK.
  EXPECT_EQ(acked, 3);
  peer.Stop();
}

}  // namespace
}  // namespace smsgw::testing
