// smsctl ledger history|reconcile
#include <iostream>

#include "ledger_view.h"

namespace smsgw::smsctl {
namespace {

constexpr int kPage = 1000;

void AddHistory(CLI::App& ledger_app, Context& ctx, Action& run) {
  struct Options {
    int64_t account = 0;
    int limit = 50;
    std::string before;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = ledger_app.add_subcommand(
      "history", "an account's journal, newest first: top-ups, and per hour its debits, charges, refunds, expiries");
  cmd->add_option("account", opts->account, "account id")->required()->check(CLI::PositiveNumber);
  cmd->add_option("--limit", opts->limit, "entries to show (1..1000, default 50)")->check(CLI::Range(1, kPage));
  cmd->add_option("--before", opts->before, "show the entries after this cursor (printed when there are more)");
  OnRun(cmd, run, [&ctx, opts]() -> Status {
    Result<std::unique_ptr<rpc::LedgerClient>> ledger = ConnectLedger(ctx);
    if (!ledger.ok()) return ledger.status();
    v1::HistoryRequest req;
    req.set_account_id(opts->account);
    req.set_limit(opts->limit);
    req.set_before(opts->before);
    Result<v1::HistoryReply> reply = (*ledger)->History(req);
    if (!reply.ok()) return reply.status();
    Listing listing{{"time", "kind", "amount", "reference"}, {}};
    for (const v1::HistoryEntry& e : reply->entries()) {
      listing.rows.push_back({UtcTime(e.at_ms()), e.kind(), e.amount(),
                              e.reference().empty() ? nlohmann::json() : nlohmann::json(e.reference())});
    }
    ctx.Print(listing);
    if (!reply->next_before().empty()) {
      std::cerr << "more: smsctl ledger history " << opts->account << " --before " << reply->next_before() << "\n";
    }
    return Status::Ok();
  });
}

void AddReconcile(CLI::App& ledger_app, Context& ctx, Action& run) {
  auto only_mismatches = std::make_shared<bool>(false);
  CLI::App* cmd = ledger_app.add_subcommand(
      "reconcile",
      "check sum(top-ups) = balance + held + charged - refunded for every account, in Redis and in "
      "PostgreSQL; exit 1 on any mismatch");
  cmd->add_flag("--mismatches", *only_mismatches, "list only the rows that do not add up");
  OnRun(cmd, run, [&ctx, only_mismatches]() -> Status {
    Result<std::unique_ptr<rpc::LedgerClient>> ledger = ConnectLedger(ctx);
    if (!ledger.ok()) return ledger.status();
    Listing listing{{"account", "source", "topups", "balance", "held", "charged", "refunded", "difference", "status"},
                    {}};
    std::vector<std::string> mismatches;
    v1::ReconcileRequest req;
    req.set_limit(kPage);
    do {
      Result<v1::ReconcileReply> page = (*ledger)->Reconcile(req);
      if (!page.ok()) return page.status();
      for (const v1::ReconcileRow& r : page->rows()) {
        const bool ok = r.difference() == 0 && !r.missing();
        if (!ok) {
          mismatches.push_back("account " + std::to_string(r.account_id()) + " (" + r.source() + "): " +
                               (r.missing() ? std::string("Redis does not have it")
                                            : "top-ups " + std::to_string(r.topups()) +
                                                  " but balance + held + charged - refunded = " +
                                                  std::to_string(r.topups() - r.difference())));
        }
        if (*only_mismatches && ok) continue;
        listing.rows.push_back({r.account_id(), r.source(), r.topups(), r.balance(), r.held(), r.charged(),
                                r.refunded(), r.difference(), ok ? "ok" : (r.missing() ? "missing" : "MISMATCH")});
      }
      req.set_after_id(page->next_after_id());
    } while (req.after_id() != 0);
    ctx.Print(listing);
    if (mismatches.empty()) return Status::Ok();
    std::string message = std::to_string(mismatches.size()) + " mismatch" + (mismatches.size() > 1 ? "es" : "");
    for (const std::string& m : mismatches) message += "\n  " + m;
    return Status::Internal(message);  // exit 1
  });
}

}  // namespace

void AddLedgerCommands(CLI::App& app, Context& ctx, Action& run) {
  CLI::App* ledger_app = app.add_subcommand("ledger", "inspect the money: journal and reconciliation");
  ledger_app->require_subcommand(1);
  AddHistory(*ledger_app, ctx, run);
  AddReconcile(*ledger_app, ctx, run);
}

}  // namespace smsgw::smsctl
