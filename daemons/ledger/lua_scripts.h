#pragma once

#include <string>

#include "ledger/lua_accounts.h"
#include "ledger/lua_holds.h"
#include "redis/redis.h"

// The ledger's Redis Lua scripts. Each runs atomically inside Redis, which is what serialises
// concurrent debits of one account: a debit succeeds iff balance >= cost at that instant.
//
// Account hash {a:<id>}:acct, besides the settings (keys.h): balance (spendable), held
// (debited, not yet captured), and the cumulative counters charged (captured), refunded (given
// back after capture), released (given back before capture), expired (holds that expired),
// topped_up (top-ups applied); topup_seq (every top-up up to this sequence number is applied);
// ops (moves with every change of held, charged, refunded, released or expired).
// Invariant per account: topped_up = balance + held + charged - refunded.
//
// PostgreSQL keeps the same counters as of the last flush, with the `ops` they were read at
// (accounts.flush_seq). A flush reads them whole (HMGET, atomic) and PostgreSQL takes them only
// if that `ops` is newer than its own, so a flush applied twice, late or out of order changes
// nothing, and whatever the ledger's crash point, the next flush brings PostgreSQL to Redis's
// state. Top-ups go the other way: PostgreSQL first, then Redis (kApplyTopUp).
//
// Every script touches the keys of one account only, all under its {a:<id>} hash tag, so each
// runs in one Redis Cluster slot. The global keys (ledger:hold_expiry, ledger:dirty,
// ev:report) are written by plain commands that the C++ puts in the same pipeline, ordered so
// that a crash after any prefix of it loses nothing; an entry too many is harmless, one too few
// is not:
// - Debit: SADD ledger:dirty and ZADD NX ledger:hold_expiry before the script (the flusher then
//   finds nothing new, the sweeper no hold), SADD ledger:dirty again after it (a flush between
//   the first SADD and the script may have taken the account out of the set).
// - Capture: SADD ledger:dirty before and after, as Debit; then ZREM from ledger:hold_expiry of
//   the holds it captured.
// - Refund: SADD ledger:dirty before and after, as Debit. The index entry stays until the
//   sweeper drops it (see holds.cpp).
// - Expiry (sweeper): SADD ledger:dirty, this account's script, then the `expired` events, the
//   SADD again and the ZREM in a following pipeline; a hold found already expired is re-sent
//   its event (see sweeper.cpp).
// - Flush: SREM ledger:dirty after PostgreSQL has the counters, then a look at `ops` that puts
//   the account back if it moved meanwhile (see flusher.cpp).
// A crash between a script and the SADD after it, or in a flush between the SREM and the SADD
// that puts an account back, leaves a change no mark points to: the comparison with PostgreSQL
// at start and every ledger.check_interval_s (kSyncAccount) finds it.
namespace smsgw::ledger::lua {

// Loaded (by SHA) once per process, shared by every caller.
inline const redis::Script kDebitScript(std::string(kMoneyLib) + kDebit);
inline const redis::Script kCaptureScript(std::string(kMoneyLib) + kCapture);
inline const redis::Script kRefundScript(std::string(kMoneyLib) + kRefund);
inline const redis::Script kExpireScript(std::string(kMoneyLib) + kExpire);
inline const redis::Script kApplyTopUpScript(std::string(kMoneyLib) + kApplyTopUp);
inline const redis::Script kSetSettingsScript(std::string(kSettingsLib) + kSetSettings);
inline const redis::Script kSyncAccountScript(std::string(kMoneyLib) + kSettingsLib + kSyncAccount);
inline const redis::Script kPassFlushedScript(std::string(kMoneyLib) + kPassFlushed);

}  // namespace smsgw::ledger::lua
