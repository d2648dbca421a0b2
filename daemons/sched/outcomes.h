#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proto/smsgw.pb.h"
#include "sched/queue_reader.h"
#include "redis/redis.h"

namespace smsgw::sched {

// The Redis commands that record what became of a message. Each function returns commands to
// be sent in one pipeline together with others, so one round trip acks a whole batch.
// Pure: no I/O here.

// XACK + XDEL: the entry is done; memory holds only the backlog.
std::vector<redis::Command> AckCommands(const QueuedMessage& m);

// A status event for ev:report. Its operator_message_id and error are made valid UTF-8
// (ValidUtf8), so an SMSC's stray bytes never make the event unreadable for smsgw-report.
redis::Command EventCommand(v1::StatusEvent event);
v1::StatusEvent MakeEvent(const v1::Envelope& e, v1::MessageStatus status, int64_t at_ms);

// The operator took the message: one receipt key per part id ("<account>:<message id>:<parts>",
// kept `receipt_ttl_s`, under the canonical spelling of the id: `key_ids`), a submitted event
// (with the ids as the SMSC wrote them, through ValidUtf8), the submitted mark, then the ack,
// then the mark's deletion (review C3: whoever takes the entry over while the mark is there
// does not submit it again). An empty id (accepted without one, review F9) gets no key.
// `receipt_due_ms` > 0: the message waits for its final receipt until then (receipt_waits.h),
// written before the event; 0: no receipt is awaited.
std::vector<redis::Command> SubmittedCommands(const QueuedMessage& m, const std::string& operator_name,
                                              const std::vector<std::string>& operator_ids,
                                              const std::vector<std::string>& key_ids, int receipt_ttl_s,
                                              int64_t now_ms, int64_t receipt_due_ms = 0);

// An entry taken over whose submit was recorded before its ack landed: the ack and the mark's
// deletion, nothing else.
std::vector<redis::Command> AlreadySubmittedCommands(const QueuedMessage& m);

// Back to q:retry, due at `due_ms`, with `attempts` recorded in the envelope; then the ack.
// `envelope` is the message as it goes back (with what the operator already took of it).
std::vector<redis::Command> RetryCommands(const QueuedMessage& m, const v1::Envelope& envelope, int32_t attempts,
                                          int64_t due_ms);

// A final status event (expired, canceled, failed) with its reason, then the ack. The money
// was returned before, or never taken.
std::vector<redis::Command> FinalCommands(const QueuedMessage& m, v1::MessageStatus status, const std::string& error,
                                          int64_t now_ms);

// Into q:dlq (trimmed to about `dlq_max_len` entries, oldest first) with the reason, a
// `failed` event, then the ack. The caller refunds first.
std::vector<redis::Command> DeadLetterCommands(const QueuedMessage& m, const std::string& error, int64_t now_ms,
                                               int64_t dlq_max_len);

// Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^attempt)), at least
// base/2 so a retry never spins. `unit_random` is uniform in [0,1).
int64_t BackoffMs(int attempt, double unit_random, int64_t base_ms = 1000, int64_t cap_ms = 300000);

}  // namespace smsgw::sched
