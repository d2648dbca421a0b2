// smsgw-sched, with the whole stack, against an SMSC that means harm: tests/integration/
// hostile_smsc.py (independent of lib/smpp: Python's struct module). Each message's text tells
// the SMSC what to do to it (binary, empty, oversized and duplicate message ids, wrong sequence
// numbers, a wrong response type, generic_nack), and after every bind it sends malformed and
// stray deliver_sm. Shown: every message ends in a final state and nothing is dropped
// silently (review F2: binary ids still match their receipts; F9: a message accepted with an
// empty id ends `expired` after [sched] receipt_wait_s, still charged); the scheduler answers
// every malformed PDU and keeps running; a flood of deliver_sm that never reads our answers
// leaves its memory bounded (F8, the client's side), and a stalled link is replaced.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include "sanitizers.h"
#include "stack.h"

namespace smsgw::testing {
namespace {

constexpr int kReceiptWaitS = 15;

// The hostile SMSC as a child process; its JSON lines are its log.
class HostileSmsc {
 public:
  HostileSmsc(Stack& stack, const std::vector<std::string>& flags) {
    std::vector<std::string> argv{"/usr/bin/python3", std::string(SMSGW_SOURCE_DIR) + "/tests/integration/hostile_smsc.py",
                                  std::to_string(stack.smsc_port())};
    argv.insert(argv.end(), flags.begin(), flags.end());
    const std::string dir = stack.config_path().substr(0, stack.config_path().rfind('/'));
    process_ = std::make_unique<Process>("hostile-smsc", argv, dir + "/hostile-smsc.log");
    if (!WaitUntil([&] { return !Events("listening").empty() || !process_->Running(); }) || !process_->Running()) {
      throw std::runtime_error("hostile_smsc.py did not start: " + process_->Log());
    }
  }

  std::vector<nlohmann::json> Events(const std::string& kind) const {
    std::vector<nlohmann::json> out;
    std::istringstream in(process_->Log());
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] != '{') continue;
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_discarded() && j.value("event", "") == kind) out.push_back(std::move(j));
    }
    return out;
  }

  // Stops it (SIGTERM) and returns the totals it prints.
  nlohmann::json Totals() {
    process_->Stop();
    std::vector<nlohmann::json> t = Events("totals");
    return t.empty() ? nlohmann::json::object() : t.back();
  }

  std::string Log() const { return process_->Log(); }

 private:
  std::unique_ptr<Process> process_;
};

Stack::Options HostileOptions() {
  Stack::Options o;
  o.sim = false;
  o.sched = false;  // started once the hostile SMSC listens
  o.sched_toml = "receipt_wait_s = " + std::to_string(kReceiptWaitS) + "\nreceipt_park_s = 3\nclaim_idle_ms = 10000\n";
  o.operator_toml = "response_timeout_ms = 1000\nenquire_link_s = 1\ninactivity_timeout_s = 3\n";
  return o;
}

// A process's resident set ("VmRSS") or its peak ("VmHWM"), in kB; -1 if unreadable.
int64_t MemoryKb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
  }
  return -1;
}

bool IsFinal(const std::string& status) {
  static const std::set<std::string> kFinal = {"delivered", "undelivered", "failed", "expired", "canceled"};
  return kFinal.count(status) > 0;
}

struct Sent {
  std::string mode;
  std::string id;
};

TEST(SchedHostileSmscTest, EveryMessageEndsFinalWhateverTheSmscAnswers) {
  Stack stack(HostileOptions());
  HostileSmsc smsc(stack, {"--receipt-delay-ms", "200"});
  stack.Start("smsgw-sched");
  int64_t account = 0;  // not a structured binding: lambdas capture it (clang < 16)
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("hostile", 10, 1000);

  const std::vector<std::pair<std::string, int>> plan = {
      {"ok", 2},       {"long", 1},     {"binary", 3},    {"empty", 2}, {"dup", 4},
      {"oversized", 1}, {"wrongseq", 1}, {"wrongtype", 1}, {"nack", 1}};
  std::vector<Sent> sent;
  int n = 0;
  for (const auto& [mode, count] : plan) {
    for (int i = 0; i < count; ++i, ++n) {
      sent.push_back({mode, stack.SendText(key, "+9891212345" + std::to_string(10 + n), mode + " " + std::to_string(i))});
    }
  }

  // Every message ends final: what the SMSC took and told is delivered; what it can never tell
  // about (an empty id) expires after receipt_wait_s.
  std::map<std::string, nlohmann::json> final;
  for (const Sent& s : sent) {
    nlohmann::json m;
    EXPECT_TRUE(WaitUntil(
        [&] {
          HttpResponse r = stack.Api("GET", "/v1/messages/" + s.id, "", key);
          if (r.status == 200) m = r.Json();
          return IsFinal(m.value("status", ""));
        },
        std::chrono::seconds(kReceiptWaitS + 60)))
        << s.mode << " " << s.id << " is " << m.dump();
    final[s.id] = m;
  }
  const std::string no_receipt = "no delivery receipt within " + std::to_string(kReceiptWaitS) + " s";
  int dups_delivered = 0;
  for (const Sent& s : sent) {
    const nlohmann::json& m = final[s.id];
    const std::string status = m.value("status", "");
    if (s.mode == "empty") {
      EXPECT_EQ(status, "expired") << m.dump();
      EXPECT_EQ(m.value("error", ""), no_receipt) << m.dump();
    } else if (s.mode == "dup") {
      // Two messages under one id: the receipts match whichever key is there when they come;
      // a message whose key was replaced expires, none stays submitted.
      EXPECT_TRUE(status == "delivered" || (status == "expired" && m.value("error", "") == no_receipt)) << m.dump();
      dups_delivered += status == "delivered" ? 1 : 0;
    } else {
      EXPECT_EQ(status, "delivered") << s.mode << ": " << m.dump();  // F2 for "binary"
    }
  }
  EXPECT_GE(dups_delivered, 1);

  // Nothing waits any more, every message was charged once (the operator took each), and the
  // receipts of ids nobody was given were kept as unmatched, not dropped.
  EXPECT_TRUE(WaitUntil([&] { return stack.redis().Run({"ZCARD", "dlr:waiting"})->integer == 0; }));
  EXPECT_EQ(stack.Balance(account), 1000 - 10 * static_cast<int64_t>(sent.size()));
  EXPECT_TRUE(WaitUntil([&] {
    Result<redis::Reply> r = stack.redis().Run({"GET", "dlr:unmatched:count"});
    return r.ok() && !r->is_nil() && std::stoll(r->str) >= 2;
  })) << "stray receipts were not kept as unmatched";

  Process* sched = stack.process("smsgw-sched");
  ASSERT_TRUE(sched->Running());
  EXPECT_EQ(sched->Log().find("invalid UTF-8"), std::string::npos);
  EXPECT_EQ(stack.process("smsgw-report")->Log().find("dropping entry"), std::string::npos);

  // Every kind of malformed or stray deliver_sm got its answer (generic_nack for what cannot be
  // decoded, deliver_sm_resp for the rest).
  nlohmann::json totals = smsc.Totals();
  const std::set<std::string> answered = totals.value("answered_kinds", std::set<std::string>{});
  for (const char* kind : {"truncated", "tlv_past_end", "sm_length_255", "garbage_receipt", "stray_binary_receipt",
                           "odd_tlvs", "unknown_command", "mo_binary"}) {
    EXPECT_EQ(answered.count(kind), 1u) << kind << " never answered: " << totals.dump();
  }
  EXPECT_EQ(totals.value("pending_receipts", -1), 0) << totals.dump();
}

TEST(SchedHostileSmscTest, AFloodThatNeverReadsAndAStallLeaveMemoryBoundedAndLoseNothing) {
  Stack stack(HostileOptions());
  HostileSmsc smsc(stack, {"--flood", "2000000", "--flood-s", "25", "--pushback-s", "3", "--stall-s", "4"});
  stack.Start("smsgw-sched");
  int64_t account = 0;  // not a structured binding: lambdas capture it (clang < 16)
  std::string key;
  std::tie(account, key) = stack.CreateFundedAccount("flood", 10, 1000);
  ASSERT_TRUE(WaitUntil([&] { return !smsc.Events("bind").empty(); }));
  Process* sched = stack.process("smsgw-sched");
  const std::string warm = stack.SendText(key, "+989121234500", "ok warm");
  ASSERT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, warm) == "delivered"; }));
  const int64_t rss_before = MemoryKb(sched->pid(), "VmRSS");
  ASSERT_GT(rss_before, 0);

  // Two million deliver_sm, written without reading a single answer.
  std::vector<std::string> ids{stack.SendText(key, "+989121234501", "flood 1")};
  ASSERT_TRUE(WaitUntil([&] { return !smsc.Events("flood").empty(); }, std::chrono::seconds(60))) << smsc.Log();
  const nlohmann::json flood = smsc.Events("flood").front();
  const int64_t peak = MemoryKb(sched->pid(), "VmHWM");
  // The scheduler stopped reading (TCP pushed back) or dropped the link before taking them all.
  EXPECT_TRUE(flood.value("pushed_back", false) || flood.value("peer_closed", false)) << flood.dump();
  EXPECT_LT(flood.value("written", 0), 2000000) << flood.dump();
  if (!kUnderAsan) EXPECT_LT(peak - rss_before, 64 * 1024) << "RSS " << rss_before << " kB before, peak " << peak << " kB; "
                                          << flood.dump();
  std::cout << "sched RSS " << rss_before << " kB before the flood, peak " << peak << " kB; " << flood.dump() << "\n";

  // A link that stops answering (and reading) is replaced; its message and those sent
  // meanwhile go through, every one charged once.
  ids.push_back(stack.SendText(key, "+989121234502", "stall 1"));
  for (int i = 0; i < 3; ++i) ids.push_back(stack.SendText(key, "+98912123451" + std::to_string(i), "ok " + std::to_string(i)));
  for (const std::string& id : ids) {
    EXPECT_TRUE(WaitUntil([&] { return stack.MessageStatus(key, id) == "delivered"; }, std::chrono::seconds(60)))
        << id << " is " << stack.MessageStatus(key, id);
  }
  EXPECT_FALSE(smsc.Events("stall").empty());
  EXPECT_TRUE(sched->Running());
  EXPECT_EQ(stack.Balance(account), 1000 - 10 * static_cast<int64_t>(ids.size() + 1));
  EXPECT_TRUE(WaitUntil([&] { return stack.redis().Run({"ZCARD", "dlr:waiting"})->integer == 0; }));
}

}  // namespace
}  // namespace smsgw::testing
