// smsctl dlq list | show | replay | purge: the dead letters of q:dlq.
#include "context.h"
#include "dlq_replay.h"
#include "dlq_store.h"
#include "keys/keys.h"
#include "proto/names.h"

namespace smsgw::smsctl {
namespace {

Result<std::unique_ptr<redis::Connection>> OpenRedis(const Context& ctx, config::Config* out) {
  Result<config::Config> config = ctx.LoadConfig();
  if (!config.ok()) return config.status();
  *out = *config;
  return redis::Connection::Open(config->redis);
}

nlohmann::json Json(const DeadLetter& d) {
  const v1::Envelope& e = d.envelope;
  return {{"entry", d.entry},          {"message_id", e.id()},          {"account_id", e.account_id()},
          {"to", e.to()},              {"from", e.from()},              {"text", e.text()},
          {"segments", e.segments()},  {"cost", e.cost()},              {"priority", e.priority() == v1::PRIORITY_EXPRESS ? "express" : "normal"},
          {"client_ref", e.client_ref()}, {"attempts", d.attempts},    {"error", d.error},
          {"stream", d.stream},        {"at_ms", d.at_ms}};
}

// The filter options shared by list, replay and purge.
void AddFilter(CLI::App* cmd, DlqFilter& f, bool entries) {
  if (entries) cmd->add_option("entries", f.entries, "dead letter entry ids (as `dlq list` shows them)");
  cmd->add_option("--account", f.account, "only this account's")->check(CLI::PositiveNumber);
  cmd->add_option("--before-ms", f.before_ms, "only those dead-lettered before this Unix time (ms)")
      ->check(CLI::PositiveNumber);
}

}  // namespace

void AddDlqCommands(CLI::App& app, Context& ctx, Action& run) {
  CLI::App* dlq = app.add_subcommand("dlq", "inspect, replay and purge dead letters (q:dlq)");
  dlq->require_subcommand(1);

  auto list_filter = std::make_shared<DlqFilter>();
  list_filter->limit = 100;
  CLI::App* list = dlq->add_subcommand("list", "dead letters, newest first");
  AddFilter(list, *list_filter, false);
  list->add_option("--limit", list_filter->limit, "at most this many (0: all)")->capture_default_str();
  list->callback([&ctx, &run, list_filter] {
    run = [&ctx, list_filter]() -> Status {
      config::Config config;
      Result<std::unique_ptr<redis::Connection>> redis = OpenRedis(ctx, &config);
      if (!redis.ok()) return redis.status();
      Result<std::vector<DeadLetter>> letters = ReadDeadLetters(**redis, *list_filter);
      if (!letters.ok()) return letters.status();
      Listing listing;
      listing.columns = {"entry", "message_id", "account_id", "to", "attempts", "error", "at_ms"};
      for (const DeadLetter& d : *letters) {
        listing.rows.push_back({d.entry, d.envelope.id(), d.envelope.account_id(), d.envelope.to(), d.attempts, d.error,
                                d.at_ms});
      }
      ctx.Print(listing);
      return Status::Ok();
    };
  });

  auto show_entry = std::make_shared<std::string>();
  CLI::App* show = dlq->add_subcommand("show", "one dead letter in full");
  show->add_option("entry", *show_entry, "its entry id")->required();
  show->callback([&ctx, &run, show_entry] {
    run = [&ctx, show_entry]() -> Status {
      config::Config config;
      Result<std::unique_ptr<redis::Connection>> redis = OpenRedis(ctx, &config);
      if (!redis.ok()) return redis.status();
      DlqFilter f;
      f.entries = {*show_entry};
      Result<std::vector<DeadLetter>> letters = ReadDeadLetters(**redis, f);
      if (!letters.ok()) return letters.status();
      const nlohmann::json j = Json(letters->front());
      ctx.Print(j, j.dump(2));
      return Status::Ok();
    };
  });

  auto replay_filter = std::make_shared<DlqFilter>();
  CLI::App* replay = dlq->add_subcommand(
      "replay", "send dead letters again as new messages (new ids, debited again); the dead ones stay failed");
  AddFilter(replay, *replay_filter, true);
  replay->add_flag("--all", replay_filter->all, "every dead letter (or every one of --account)");
  replay->callback([&ctx, &run, replay_filter] {
    run = [&ctx, replay_filter]() -> Status {
      if (replay_filter->entries.empty() && replay_filter->account == 0 && !replay_filter->all) {
        return Status::InvalidArgument("dlq replay: name entries, or give --account or --all");
      }
      config::Config config;
      Result<std::unique_ptr<redis::Connection>> redis = OpenRedis(ctx, &config);
      if (!redis.ok()) return redis.status();
      Result<std::vector<DeadLetter>> letters = ReadDeadLetters(**redis, *replay_filter);
      if (!letters.ok()) return letters.status();
      rpc::LedgerClient ledger(config.api.ledger_address);
      std::vector<Replayed> done;
      Status s = ReplayDeadLetters(**redis, ledger, config.api.hold_ttl_s, *letters, &done);
      Listing listing;
      listing.columns = {"entry", "message_id", "new_message_id", "account_id"};
      for (const Replayed& r : done) listing.rows.push_back({r.entry, r.old_id, r.new_id, r.account_id});
      ctx.Print(listing);
      return s;
    };
  });

  auto purge_filter = std::make_shared<DlqFilter>();
  auto purge_yes = std::make_shared<bool>(false);
  CLI::App* purge = dlq->add_subcommand("purge", "delete dead letters for good (needs --yes)");
  AddFilter(purge, *purge_filter, true);
  purge->add_flag("--all", purge_filter->all, "every dead letter (or every one of --account)");
  purge->add_flag("--yes", *purge_yes, "really delete them");
  purge->callback([&ctx, &run, purge_filter, purge_yes] {
    run = [&ctx, purge_filter, purge_yes]() -> Status {
      if (purge_filter->entries.empty() && purge_filter->account == 0 && !purge_filter->all &&
          purge_filter->before_ms == 0) {
        return Status::InvalidArgument("dlq purge: name entries, or give --account, --before-ms or --all");
      }
      config::Config config;
      Result<std::unique_ptr<redis::Connection>> redis = OpenRedis(ctx, &config);
      if (!redis.ok()) return redis.status();
      Result<std::vector<DeadLetter>> letters = ReadDeadLetters(**redis, *purge_filter);
      if (!letters.ok()) return letters.status();
      if (!*purge_yes) {
        return Status::InvalidArgument("dlq purge would delete " + std::to_string(letters->size()) +
                                       " dead letter(s) for good; add --yes to do it");
      }
      size_t deleted = 0;
      for (size_t i = 0; i < letters->size(); i += 1000) {
        redis::Command del{"XDEL", keys::kDeadLetters};
        for (size_t k = i; k < std::min(letters->size(), i + 1000); ++k) del.push_back((*letters)[k].entry);
        Result<redis::Reply> r = (*redis)->Run(del);
        if (!r.ok()) return r.status();
        deleted += static_cast<size_t>(r->integer);
      }
      ctx.Print({{"deleted", deleted}}, std::to_string(deleted) + " dead letter(s) deleted");
      return Status::Ok();
    };
  });
}

}  // namespace smsgw::smsctl
