// smsctl report show | list | stats | webhooks (report_export.cpp: smsctl report export)
#include <iostream>

#include "common/rfc3339.h"
#include "context.h"
#include "proto/names.h"
#include "report_options.h"
#include "rpc/clients.h"

namespace smsgw::smsctl {
namespace {

nlohmann::json TimeCell(int64_t ms) { return ms > 0 ? nlohmann::json(FormatRfc3339Ms(ms)) : nlohmann::json(); }
nlohmann::json TextCell(const std::string& s) { return s.empty() ? nlohmann::json() : nlohmann::json(s); }

Listing MessagesListing(const google::protobuf::RepeatedPtrField<v1::MessageRecord>& messages) {
  Listing l;
  l.columns = {"id", "account", "status", "to", "segments", "cost", "client_ref", "accepted_at", "done_at", "error"};
  for (const v1::MessageRecord& m : messages) {
    l.rows.push_back({m.id(), m.account_id(), std::string(v1::StatusName(m.status())), m.to(), m.segments(), m.cost(),
                      TextCell(m.client_ref()), TimeCell(m.accepted_at_ms()), TimeCell(m.done_at_ms()),
                      TextCell(m.error())});
  }
  return l;
}

void AddShow(CLI::App& report, Context& ctx, Action& run) {
  auto id = std::make_shared<std::string>();
  CLI::App* show = report.add_subcommand("show", "show one message, whichever account it belongs to");
  show->add_option("id", *id, "message id (UUID)")->required();
  show->callback([&ctx, &run, id] {
    run = [&ctx, id]() -> Status {
      Result<config::Config> config = ctx.LoadConfig();
      if (!config.ok()) return config.status();
      rpc::ReportClient client(config->api.report_address);
      Result<v1::MessageRecord> m = client.GetMessageAnyAccount(*id);
      if (!m.ok()) return m.status();
      nlohmann::json j = {{"id", m->id()},
                          {"account_id", m->account_id()},
                          {"status", v1::StatusName(m->status())},
                          {"to", m->to()},
                          {"from", TextCell(m->from())},
                          {"encoding", v1::EncodingName(m->encoding())},
                          {"segments", m->segments()},
                          {"cost", m->cost()},
                          {"priority", v1::PriorityName(m->priority())},
                          {"client_ref", TextCell(m->client_ref())},
                          {"accepted_at", TimeCell(m->accepted_at_ms())},
                          {"submitted_at", TimeCell(m->submitted_at_ms())},
                          {"done_at", TimeCell(m->done_at_ms())},
                          {"operator", TextCell(m->operator_name())},
                          {"operator_message_id", TextCell(m->operator_message_id())},
                          {"error", TextCell(m->error())},
                          {"callback_url", TextCell(m->callback_url())}};
      std::string text;
      for (const auto& [key, value] : j.items()) {
        text += key + ": " + (value.is_string() ? value.get<std::string>() : value.dump()) + "\n";
      }
      ctx.Print(j, text);
      return Status::Ok();
    };
  });
}

void AddList(CLI::App& report, Context& ctx, Action& run) {
  struct Options {
    int64_t account = 0;
    int limit = 100;
    std::string cursor, status, since, until, to, client_ref;
  };
  auto o = std::make_shared<Options>();
  CLI::App* list = report.add_subcommand("list", "list an account's messages, newest first, one page");
  list->add_option("--account", o->account, "account id")->required()->check(CLI::PositiveNumber);
  list->add_option("--limit", o->limit, "messages per page (1-1000, default 100)")->check(CLI::Range(1, 1000));
  list->add_option("--cursor", o->cursor, "the next-page cursor printed by the previous page");
  list->add_option("--status", o->status, "only these statuses (comma-separated)");
  list->add_option("--since", o->since, "created at or after (RFC 3339 or YYYY-MM-DD, UTC)");
  list->add_option("--until", o->until, "created before (RFC 3339 or YYYY-MM-DD, UTC)");
  list->add_option("--to", o->to, "only this destination (E.164)");
  list->add_option("--client-ref", o->client_ref, "only this client reference");
  list->callback([&ctx, &run, o] {
    run = [&ctx, o]() -> Status {
      v1::ListMessagesRequest req;
      req.set_account_id(o->account);
      req.set_limit(o->limit);
      req.set_cursor(o->cursor);
      req.set_to(o->to);
      req.set_client_ref(o->client_ref);
      Result<Filters> f = ParseFilters(o->status, o->since, o->until);
      if (!f.ok()) return f.status();
      for (v1::MessageStatus s : f->statuses) req.add_statuses(s);
      req.set_since_ms(f->since_ms);
      req.set_until_ms(f->until_ms);
      Result<config::Config> config = ctx.LoadConfig();
      if (!config.ok()) return config.status();
      rpc::ReportClient client(config->api.report_address);
      Result<v1::ListMessagesReply> page = client.ListMessages(req);
      if (!page.ok()) return page.status();
      ctx.Print(MessagesListing(page->messages()));
      // The cursor goes to stderr, so stdout stays one clean listing for scripts.
      if (!page->next_cursor().empty()) std::cerr << "next page: --cursor " << page->next_cursor() << "\n";
      return Status::Ok();
    };
  });
}

void AddStats(CLI::App& report, Context& ctx, Action& run) {
  struct Options {
    int64_t account = 0;
    int days = 7;
    bool hours = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* stats = report.add_subcommand("stats", "an account's messages and cost per day and status");
  stats->add_option("--account", o->account, "account id")->required()->check(CLI::PositiveNumber);
  stats->add_option("--days", o->days, "days up to today, UTC (1-366, default 7)")->check(CLI::Range(1, 366));
  stats->add_flag("--hours", o->hours, "per hour over the last 24 hours instead");
  stats->callback([&ctx, &run, o] {
    run = [&ctx, o]() -> Status {
      Result<config::Config> config = ctx.LoadConfig();
      if (!config.ok()) return config.status();
      rpc::ReportClient client(config->api.report_address);
      v1::StatsRequest req;
      req.set_account_id(o->account);
      req.set_days(o->days);
      Result<v1::StatsReply> reply = client.GetStats(req);
      if (!reply.ok()) return reply.status();
      Listing l;
      l.columns = {o->hours ? "hour" : "date", "status", "messages", "cost"};
      for (const v1::StatsRow& r : o->hours ? reply->hours() : reply->days()) {
        std::string when = FormatRfc3339Ms(r.start_ms());
        if (!o->hours) when.resize(10);
        l.rows.push_back({when, std::string(v1::StatusName(r.status())), r.messages(), r.cost()});
      }
      ctx.Print(l);
      return Status::Ok();
    };
  });
}

void AddWebhooks(CLI::App& report, Context& ctx, Action& run) {
  struct Options {
    int64_t account = 0;
    int limit = 50;
  };
  auto o = std::make_shared<Options>();
  CLI::App* hooks = report.add_subcommand("webhooks", "an account's latest status callbacks and their attempts");
  hooks->add_option("--account", o->account, "account id")->required()->check(CLI::PositiveNumber);
  hooks->add_option("--limit", o->limit, "how many, newest first (1-1000, default 50)")->check(CLI::Range(1, 1000));
  hooks->callback([&ctx, &run, o] {
    run = [&ctx, o]() -> Status {
      Result<config::Config> config = ctx.LoadConfig();
      if (!config.ok()) return config.status();
      rpc::ReportClient client(config->api.report_address);
      v1::ListWebhooksRequest req;
      req.set_account_id(o->account);
      req.set_limit(o->limit);
      Result<v1::ListWebhooksReply> reply = client.ListWebhooks(req);
      if (!reply.ok()) return reply.status();
      Listing l;
      l.columns = {"id", "message_id", "kind", "status", "state", "attempts", "last_code", "last_error",
                   "last_at", "next_at", "url"};
      for (const v1::WebhookDelivery& d : reply->deliveries()) {
        l.rows.push_back({d.id(), d.message_id(), d.kind(), d.status(), d.state(), d.attempts(),
                          d.last_code() > 0 ? nlohmann::json(d.last_code()) : nlohmann::json(),
                          TextCell(d.last_error()), TimeCell(d.last_at_ms()),
                          d.state() == "pending" ? TimeCell(d.next_at_ms()) : nlohmann::json(), d.url()});
      }
      ctx.Print(l);
      return Status::Ok();
    };
  });
}

}  // namespace

void AddReportCommands(CLI::App& app, Context& ctx, Action& run) {
  CLI::App* report = app.add_subcommand("report", "messages as smsgw-report has them: show, list, export, stats, webhooks");
  report->require_subcommand(1);
  AddShow(*report, ctx, run);
  AddList(*report, ctx, run);
  AddExportCommand(*report, ctx, run);
  AddStats(*report, ctx, run);
  AddWebhooks(*report, ctx, run);
}

}  // namespace smsgw::smsctl
