#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "redis/redis.h"
#include "rpc/clients.h"
#include "sched/job.h"
#include "sched/outbox.h"
#include "sched/pause.h"
#include "sched/queue_reader.h"
#include "sched/receipts.h"
#include "sched/sched_metrics.h"
#include "smpp/client.h"

namespace smsgw::sched {

// One operator link, the destinations it serves, and its [[operators]] settings.
struct Route {
  std::string name;
  std::vector<std::string> prefixes;
  smpp::Client* client;
  config::OperatorConfig op;
};

// The scheduler loop (DESIGN.md section 5). Each turn it takes what the links answered and
// the receipts they brought, writes every outcome and matches every receipt in one Redis
// round trip, hands captured messages to their operator as fast as the operator's shared rate
// allows, then picks express or normal by probability and reads no more than the bound links'
// windows can take (normal by deficit round robin over the accounts). A read is one batch: one
// CaptureBatch for all its holds (one RefundBatch for those that need their money back), then
// the submits. What to do with each message is Decide()'s answer; this class carries it out.
//
// Outcome writes go through an Outbox and are retried until they land; while they fail, and
// while the ledger cannot be reached, and while no link is bound, nothing new is read.
// Entries of a scheduler that died are taken over once idle longer than sched.claim_idle_ms;
// this one keeps its own from going idle that long (it touches them) and re-reads its own
// pending ones periodically. A receipt or MO message is acknowledged to the SMSC only once
// what it carried landed in Redis.
//
// Threads: Run() owns the Redis connection and the ledger client; SMPP callbacks only queue
// their results (under mu_) for it, so all Redis and ledger work happens on the loop's thread.
class Scheduler {
 public:
  // `stable_consumer`: the consumer name is configured (survives restarts), so at start the
  // entries it left pending are read again at once rather than waiting to be taken over.
  Scheduler(const config::SchedConfig& config, redis::Connection& conn, rpc::LedgerClient& ledger,
            std::vector<Route> routes, std::string consumer, bool stable_consumer);

  // Runs until `stop` is set, then waits (bounded) for submits in flight and records them;
  // messages it held and never submitted go back to their queues.
  void Run(const std::atomic<bool>& stop);

  // Called on the SMPP io threads; each only queues for the loop.
  void OnReceipt(size_t route, const smpp::Receipt& receipt, smpp::Client::Ack ack);
  void OnMo(size_t route, const smpp::DeliverSm& deliver, smpp::Client::Ack ack);
  void OnLateResponse(size_t route, const std::string& tag, const std::string& message_id);

 private:
  struct Completion {
    Job job;
    smpp::SubmitResult result;
  };
  struct Inbound {  // a receipt or an MO message waiting to be recorded
    size_t route;
    smpp::Receipt receipt;
    smpp::DeliverSm mo;
    bool is_mo = false;
    smpp::Client::Ack ack;
    v1::StatusEvent event;  // once matched, while its refund is asked
  };
  struct Late {
    size_t route;
    std::string tag;
    std::string message_id;
  };
  // A route's messages on their way out: captured, waiting for the operator's rate and for
  // the pause after a throttling answer.
  struct Lane {
    std::deque<Job> ready;
    int tokens = 0;              // submits granted by the shared rate, not yet used
    int64_t next_ask_ms = 0;     // no point asking the rate before this
    int64_t paused_until_ms = 0;
    int64_t pause_ms = 0;        // doubles with every throttling answer in a row
  };
  struct Held {
    std::string stream;
    std::string entry_id;
    int64_t touched_ms;
  };

  // scheduler.cpp: from a read to an outcome.
  int Take(std::vector<QueuedMessage> read);
  void Advance(std::vector<Job> jobs);
  void Observe(Job& job, const std::vector<bool>& bound, int64_t now_ms) const;
  void Submit(Job job, bool front = false);
  void Record(Job& job, const Outcome& outcome, int64_t now_ms);
  int ReadBatch();
  int Capacity() const;
  bool Stuck() const;
  const Route* RouteNamed(const std::string& name) const;  // nullptr: no such operator

  // scheduler_lanes.cpp: the operators' rates, throttling, handing jobs to links.
  void PumpLanes();
  void AskRates(int64_t now_ms);
  void Throttled(Job job, int64_t now_ms);
  void ReleaseLanes();

  // scheduler_inbound.cpp: what the links brought, and the turn's round trip.
  int DrainLinks();
  int FlushAndMatch();
  void Matched(Inbound& in, const MatchedReceipt& m, std::vector<Inbound*>& refunds);
  void RefundReceipts(std::vector<Inbound*>& refunds);
  std::vector<bool> RefundByReceipt(std::vector<v1::StatusEvent>& events);
  void RetryParked();

  // scheduler_upkeep.cpp: the slower periodic work.
  void RetryWaiting();
  void MoveDueRetries();
  void ClaimAndTouch();
  void RescanPending();
  void ExpireUnreceipted();
  void Steer(double latency_ms, int64_t now_ms);

  const config::SchedConfig& config_;
  redis::Connection& conn_;
  rpc::LedgerClient& ledger_;
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> route_prefixes_;
  std::vector<bool> all_routes_;  // every route usable: for "is there a route at all"
  QueueReader reader_;
  ReceiptSettings receipt_settings_;
  const bool stable_consumer_;
  std::mt19937_64 rng_{std::random_device{}()};
  SchedMetrics metrics_;

  // Loop thread only.
  int in_flight_ = 0;                           // jobs with a link
  std::vector<Lane> lanes_;                     // one per route
  std::vector<Job> waiting_;                    // jobs whose ledger call failed, asked again later
  std::unordered_map<std::string, Held> held_;  // EntryKey of every job read and not yet released
  std::vector<Inbound> inbound_;                // taken from the links, not yet recorded
  Outbox outbox_;
  Pause outbox_pause_;   // for the outbox and receipts' round trip
  Pause receipt_pause_;  // for receipts whose match answered what it should not
  Pause ledger_pause_;
  Pause read_pause_;
  double express_share_ = 0.5;
  double express_latency_ms_ = 0;  // the shared figure, as last read
  double latency_sum_ms_ = 0;      // this turn's express samples
  int latency_samples_ = 0;
  int64_t last_steer_ms_ = 0;
  int64_t last_retry_move_ms_ = 0;
  int64_t last_rescan_ms_ = 0;
  int64_t last_claim_ms_ = 0;
  int64_t last_parked_ms_ = 0;
  int64_t last_wait_sweep_ms_ = 0;
  bool first_rescan_ = true;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Completion> completions_;  // guarded by mu_
  std::vector<Inbound> new_inbound_;     // guarded by mu_
  std::vector<Late> late_;               // guarded by mu_
};

}  // namespace smsgw::sched
