#include "ledger/ledger_metrics.h"

#include <string>

namespace smsgw::ledger {
namespace {

// By LedgerMetrics' result index: the v1::LedgerResult values, then duplicate and other.
constexpr const char* kResultNames[] = {"ok",           "insufficient_funds", "account_unknown", "disabled",
                                        "hold_unknown", "hold_refunded",      "duplicate",       "other"};

uint64_t Minor(int64_t amount) { return amount > 0 ? static_cast<uint64_t>(amount) : 0; }

metrics::Counter& Money(metrics::Registry& registry, const std::string& name, const std::string& help) {
  return registry.AddCounter(name, help + " (minor units).").Get();
}

}  // namespace

LedgerMetrics::ByResult::ByResult(metrics::Family<metrics::Counter>& f, std::initializer_list<size_t> made)
    : family(f) {
  for (size_t i : made) children[i] = &family.Labels({kResultNames[i]});
}

void LedgerMetrics::ByResult::Count(size_t index) {
  (children[index] != nullptr ? *children[index] : family.Labels({kResultNames[index]})).Inc();
}

size_t LedgerMetrics::Index(v1::LedgerResult result) {
  return result >= v1::LEDGER_OK && result <= v1::LEDGER_HOLD_REFUNDED ? static_cast<size_t>(result) : kOther;
}

LedgerMetrics::LedgerMetrics(metrics::Registry& registry)
    : debits_(registry.AddCounter("smsgw_ledger_debits_total",
                                  "Debits (holds asked for a message) by result: ok, duplicate, insufficient_funds, "
                                  "account_unknown, disabled, hold_refunded.",
                                  {"result"}),
              {v1::LEDGER_OK, kDuplicate, v1::LEDGER_INSUFFICIENT_FUNDS, v1::LEDGER_ACCOUNT_UNKNOWN,
               v1::LEDGER_ACCOUNT_DISABLED, v1::LEDGER_HOLD_REFUNDED}),
      captures_(registry.AddCounter("smsgw_ledger_captures_total",
                                    "Captures of holds by result: ok, hold_unknown, hold_refunded.", {"result"}),
                {v1::LEDGER_OK, v1::LEDGER_HOLD_UNKNOWN, v1::LEDGER_HOLD_REFUNDED}),
      refunds_(registry.AddCounter("smsgw_ledger_refunds_total",
                                   "Refunds of holds by result: ok, duplicate, hold_unknown.", {"result"}),
               {v1::LEDGER_OK, kDuplicate, v1::LEDGER_HOLD_UNKNOWN}),
      topups_(
          registry.AddCounter("smsgw_ledger_topups_total", "Top-ups recorded by result: ok, duplicate.", {"result"}),
          {v1::LEDGER_OK, kDuplicate}),
      debited_minor_(Money(registry, "smsgw_ledger_debited_minor_total", "Money held by debits")),
      refunded_minor_(Money(registry, "smsgw_ledger_refunded_minor_total", "Money given back by refunds")),
      topup_minor_(Money(registry, "smsgw_ledger_topup_minor_total", "Money recorded by top-ups")),
      holds_expired_(
          registry
              .AddCounter("smsgw_ledger_holds_expired_total", "Holds expired by the sweeper, their money given back.")
              .Get()) {}

void LedgerMetrics::Debit(v1::LedgerResult result, bool changed, int64_t cost) {
  if (result == v1::LEDGER_OK && !changed) {
    debits_.Count(kDuplicate);
    return;
  }
  debits_.Count(Index(result));
  if (result == v1::LEDGER_OK) debited_minor_.Inc(Minor(cost));
}

void LedgerMetrics::Refund(v1::LedgerResult result, bool duplicate, int64_t amount) {
  refunds_.Count(result == v1::LEDGER_OK && duplicate ? kDuplicate : Index(result));
  refunded_minor_.Inc(Minor(amount));
}

void LedgerMetrics::TopUp(bool duplicate, int64_t amount) {
  if (duplicate) {
    topups_.Count(kDuplicate);
    return;
  }
  topups_.Count(v1::LEDGER_OK);
  topup_minor_.Inc(Minor(amount));
}

}  // namespace smsgw::ledger
