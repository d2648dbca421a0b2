#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include "metrics/registry.h"
#include "proto/smsgw.pb.h"

namespace smsgw::ledger {

// The ledger's money figures, in metrics::Default() (docs/metrics.md):
//   smsgw_ledger_debits_total{result}    ok (money held), duplicate (a message id already held
//       or charged: nothing changed), insufficient_funds, account_unknown, disabled,
//       hold_refunded (refunded or expired before: the message must not be sent)
//   smsgw_ledger_captures_total{result}  ok (captured, or already was), hold_unknown,
//       hold_refunded (refunded, or expired: not captured)
//   smsgw_ledger_refunds_total{result}   ok (money given back), duplicate (refunded or expired
//       before), hold_unknown
//   smsgw_ledger_topups_total{result}    ok, duplicate (a reference recorded before)
//   smsgw_ledger_debited_minor_total, smsgw_ledger_refunded_minor_total,
//   smsgw_ledger_topup_minor_total       money held by debits, given back by refunds, recorded
//       by top-ups (minor units)
//   smsgw_ledger_holds_expired_total     holds the sweeper expired (their money given back)
// Every child a result can reach is made at construction (exported as 0 from the start) and
// kept, so an update is one relaxed atomic add. Instances share the registry's families, so
// each class that counts may hold one. Thread-safe.
class LedgerMetrics {
 public:
  explicit LedgerMetrics(metrics::Registry& registry = metrics::Default());

  // `changed`: the debit held `cost` (the script's ops > 0); an OK that changed nothing is a
  // duplicate.
  void Debit(v1::LedgerResult result, bool changed, int64_t cost);
  void Capture(v1::LedgerResult result) { captures_.Count(Index(result)); }
  // `amount`: what the refund gave back (0 for a duplicate or a refusal).
  void Refund(v1::LedgerResult result, bool duplicate, int64_t amount);
  void TopUp(bool duplicate, int64_t amount);
  void HoldsExpired(int n) { holds_expired_.Inc(static_cast<uint64_t>(n)); }

 private:
  // The v1::LedgerResult values (0..5), then duplicate and other (a value this build does not
  // know).
  static constexpr size_t kDuplicate = 6;
  static constexpr size_t kOther = 7;
  static constexpr size_t kResults = 8;
  static size_t Index(v1::LedgerResult result);

  // A counter family by result, with the children made at construction.
  struct ByResult {
    ByResult(metrics::Family<metrics::Counter>& family, std::initializer_list<size_t> made);
    // A child not made at construction (a result that should not happen) is looked up.
    void Count(size_t index);

    metrics::Family<metrics::Counter>& family;
    std::array<metrics::Counter*, kResults> children{};
  };

  ByResult debits_;
  ByResult captures_;
  ByResult refunds_;
  ByResult topups_;
  metrics::Counter& debited_minor_;
  metrics::Counter& refunded_minor_;
  metrics::Counter& topup_minor_;
  metrics::Counter& holds_expired_;
};

}  // namespace smsgw::ledger
