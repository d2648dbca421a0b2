#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "config/config.h"
#include "sched/outcomes.h"
#include "sched/queue_reader.h"
#include "redis/redis.h"
#include "rpc/clients.h"
#include "smpp/client.h"

namespace smsgw::sched {

// One operator link and the destinations it serves.
struct Route {
  std::string name;
  std::vector<std::string> prefixes;
  smpp::Client* client;
};

// The scheduler loop (DESIGN.md section 5): picks express or normal by probability, reads no
// more than the SMPP windows can take, captures each hold, submits, and records outcomes and
// receipts in pipelined batches. Run() owns the Redis connection; SMPP callbacks only queue
// their results for it, so all Redis work happens on the loop's thread.
class Scheduler {
 public:
  Scheduler(const config::SchedConfig& config, redis::Connection& conn, rpc::LedgerClient& ledger,
            std::vector<Route> routes, std::string consumer);

  // Runs until `stop` is set, then waits (bounded) for submits in flight and records them.
  void Run(const std::atomic<bool>& stop);

  // Called on the SMPP io thread for every receipt of the named operator.
  void OnReceipt(const std::string& operator_name, const smpp::Receipt& receipt);

 private:
  struct Completion {
    QueuedMessage msg;
    std::string operator_name;
    smpp::SubmitResult result;
  };
  struct ReceiptEvent {
    std::string operator_name;
    smpp::Receipt receipt;
  };

  // Takes one message toward an operator, appending any immediate outcome to `out`.
  void Dispatch(QueuedMessage m, std::vector<redis::Command>& out);
  void Finish(const Completion& c, std::vector<redis::Command>& out);
  void DeadLetter(const QueuedMessage& m, const std::string& error, std::vector<redis::Command>& out);
  void RetryLater(const QueuedMessage& m, int32_t attempts, int64_t delay_ms, std::vector<redis::Command>& out);
  // Records finished submits and receipts; returns how many it handled.
  int Drain();
  Status RecordReceipts(const std::vector<ReceiptEvent>& receipts);
  Status Flush(std::vector<redis::Command>& cmds);
  int Capacity() const;

  const config::SchedConfig& config_;
  redis::Connection& conn_;
  rpc::LedgerClient& ledger_;
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> route_prefixes_;
  QueueReader reader_;
  int window_total_ = 0;
  int in_flight_ = 0;  // loop thread only
  double express_latency_ms_ = 0;
  std::mt19937_64 rng_{std::random_device{}()};

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Completion> completions_;  // guarded by mu_
  std::vector<ReceiptEvent> receipts_;   // guarded by mu_
};

}  // namespace smsgw::sched
