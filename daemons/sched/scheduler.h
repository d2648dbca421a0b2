#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "config/config.h"
#include "redis/redis.h"
#include "rpc/clients.h"
#include "sched/job.h"
#include "sched/outbox.h"
#include "sched/pause.h"
#include "sched/queue_reader.h"
#include "smpp/client.h"

namespace smsgw::sched {

// One operator link and the destinations it serves.
struct Route {
  std::string name;
  std::vector<std::string> prefixes;
  smpp::Client* client;
};

// The scheduler loop (DESIGN.md section 5). Each turn it takes what the links answered and
// the receipts they brought, writes every outcome and matches every receipt in one Redis
// round trip, then picks express or normal by probability and reads no more than the bound
// links' windows can take. A read is one batch: one CaptureBatch for all its holds (one
// RefundBatch for those that need their money back), then the submits. What to do with each
// message is Decide()'s answer; this class only carries it out.
//
// Outcome writes go through an Outbox and are retried until they land; while they fail, and
// while the ledger cannot be reached, and while no link is bound, nothing new is read.
// Entries this consumer took and holds no longer (it died, or lost track) are read again at
// start and every kPendingRescanMs.
//
// Threads: Run() owns the Redis connection and the ledger client; SMPP callbacks only queue
// their results (under mu_) for it, so all Redis and ledger work happens on the loop's thread.
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
    Job job;
    smpp::SubmitResult result;
  };
  struct ReceiptEvent {
    std::string operator_name;
    smpp::Receipt receipt;
  };

  // Starts jobs for entries just read (those not already held), and advances them.
  int Take(std::vector<QueuedMessage> read);
  // Decides on each job, runs the ledger batches it asks for and decides again, until every
  // job is submitted, waiting for the ledger, or recorded in the outbox.
  void Advance(std::vector<Job> jobs);
  // Fills in the facts that change with time: the clock and which links are bound.
  void Observe(Job& job, const std::vector<bool>& bound, int64_t now_ms) const;
  void Submit(Job job);
  void Record(Job& job, const Outcome& outcome, int64_t now_ms);

  // One turn's parts; those returning int say how much they handled.
  // Takes what the links queued: completions are advanced, receipts kept for FlushAndMatch.
  int DrainLinks();
  // Sends the outbox and matches the receipts in one round trip; returns the receipts matched.
  int FlushAndMatch();
  void RetryWaiting();
  void MoveDueRetries();
  void RescanPending();
  int ReadBatch();

  // How many more messages may be read: twice the bound links' windows (one window in
  // flight, one ready behind it), less what is held already. 0 while no link is bound.
  int Capacity() const;

  const config::SchedConfig& config_;
  redis::Connection& conn_;
  rpc::LedgerClient& ledger_;
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> route_prefixes_;
  std::vector<bool> all_routes_;  // every route usable: for "is there a route at all"
  QueueReader reader_;
  std::mt19937_64 rng_{std::random_device{}()};

  // Loop thread only.
  int in_flight_ = 0;                      // jobs with a link
  std::vector<Job> waiting_;               // jobs whose ledger call failed, asked again later
  std::unordered_set<std::string> held_;   // EntryKey of every job read and not yet released
  std::vector<ReceiptEvent> receipts_;     // taken from the links, not yet matched
  Outbox outbox_;
  Pause outbox_pause_;   // for the outbox and receipts' round trip
  Pause receipt_pause_;  // for receipts whose match answered what it should not
  Pause ledger_pause_;
  Pause read_pause_;
  double express_latency_ms_ = 0;
  int64_t last_retry_move_ms_ = 0;
  int64_t last_rescan_ms_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Completion> completions_;        // guarded by mu_
  std::vector<ReceiptEvent> new_receipts_;     // guarded by mu_
};

}  // namespace smsgw::sched
