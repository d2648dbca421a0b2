// smsctl streams list | info NAME | pending NAME
#include "common/time.h"
#include "context.h"
#include "queue_stats.h"

namespace smsgw::smsctl {
namespace {

nlohmann::json Opt(const std::optional<int64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); }
nlohmann::json Opt(const std::optional<double>& v) {
  return v ? nlohmann::json(static_cast<double>(static_cast<int64_t>(*v * 10)) / 10) : nlohmann::json();
}

Result<std::unique_ptr<redis::Connection>> OpenRedis(const Context& ctx) {
  Result<config::Config> config = ctx.LoadConfig();
  if (!config.ok()) return config.status();
  return redis::Connection::Open(config->redis);
}

Status List(const Context& ctx, int top) {
  Result<std::unique_ptr<redis::Connection>> redis = OpenRedis(ctx);
  if (!redis.ok()) return redis.status();
  Result<QueueSnapshot> snap = ReadQueues(**redis, top, NowMs());
  if (!snap.ok()) return snap.status();
  Listing listing{{"name", "level", "length", "pending", "lag", "oldest_s"}, {}};
  auto add = [&](const QueueRow& r) {
    listing.rows.push_back({r.name, r.level, r.length, r.pending, Opt(r.lag), Opt(r.oldest_age_s)});
  };
  for (const QueueRow& r : snap->levels) add(r);
  for (const QueueRow& r : snap->top_accounts) add(r);
  ctx.Print(listing);
  return Status::Ok();
}

Status Info(const Context& ctx, const std::string& name) {
  Result<std::unique_ptr<redis::Connection>> redis = OpenRedis(ctx);
  if (!redis.ok()) return redis.status();
  const std::string stream = StreamKey(name);
  Result<std::vector<GroupInfo>> groups = ReadGroups(**redis, stream);
  if (!groups.ok()) return groups.status();
  Result<redis::Reply> len = (*redis)->Run({"XLEN", stream});
  if (!len.ok()) return len.status();
  Listing listing{
      {"stream", "length", "group", "group_pending", "lag", "last_delivered", "consumer", "pending", "idle_ms"}, {}};
  for (const GroupInfo& g : *groups) {
    Result<redis::Reply> consumers = (*redis)->Run({"XINFO", "CONSUMERS", stream, g.name});
    if (!consumers.ok()) return consumers.status();
    const nlohmann::json head =
        nlohmann::json::array({stream, len->integer, g.name, g.pending, Opt(g.lag), g.last_delivered});
    if (consumers->elements.empty()) {
      listing.rows.push_back({head[0], head[1], head[2], head[3], head[4], head[5], nullptr, nullptr, nullptr});
    }
    for (const redis::Reply& c : consumers->elements) {
      std::string cname;
      int64_t pending = 0, idle = 0;
      for (size_t i = 0; i + 1 < c.elements.size(); i += 2) {
        const std::string& field = c.elements[i].str;
        if (field == "name") cname = c.elements[i + 1].str;
        if (field == "pending") pending = c.elements[i + 1].AsInt().ok() ? *c.elements[i + 1].AsInt() : 0;
        if (field == "idle") idle = c.elements[i + 1].AsInt().ok() ? *c.elements[i + 1].AsInt() : 0;
      }
      listing.rows.push_back({head[0], head[1], head[2], head[3], head[4], head[5], cname, pending, idle});
    }
  }
  if (groups->empty())
    listing.rows.push_back({stream, len->integer, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr});
  ctx.Print(listing);
  return Status::Ok();
}

Status Pending(const Context& ctx, const std::string& name, std::string group, int count) {
  Result<std::unique_ptr<redis::Connection>> redis = OpenRedis(ctx);
  if (!redis.ok()) return redis.status();
  const std::string stream = StreamKey(name);
  if (group.empty()) group = DefaultGroup(stream);
  Result<std::vector<GroupInfo>> groups = ReadGroups(**redis, stream);
  if (!groups.ok()) return groups.status();
  Result<redis::Reply> r = (*redis)->Run({"XPENDING", stream, group, "-", "+", std::to_string(count)});
  if (!r.ok()) {
    if (r.status().message().find("NOGROUP") != std::string::npos) {
      return Status::NotFound("stream " + stream + " has no consumer group " + group);
    }
    return r.status();
  }
  const int64_t now = NowMs();
  Listing listing{{"id", "consumer", "idle_ms", "deliveries", "age_s"}, {}};
  for (const redis::Reply& e : r->elements) {
    if (e.elements.size() < 4) continue;
    const std::optional<int64_t> t = IdTimeMs(e.elements[0].str);
    listing.rows.push_back({e.elements[0].str, e.elements[1].str, e.elements[2].integer, e.elements[3].integer,
                            t ? nlohmann::json((now - *t) / 1000) : nlohmann::json()});
  }
  ctx.Print(listing);
  return Status::Ok();
}

}  // namespace

void AddStreamsCommands(CLI::App& app, Context& ctx, Action& run) {
  CLI::App* streams = app.add_subcommand("streams", "inspect the queue streams in Redis");
  streams->require_subcommand(1);

  auto top = std::make_shared<int>(10);
  CLI::App* list = streams->add_subcommand("list", "depth of each service level and the longest account streams");
  list->add_option("--top", *top, "account streams to show, longest first")->check(CLI::NonNegativeNumber);
  list->callback([&ctx, &run, top] { run = [&ctx, top] { return List(ctx, *top); }; });

  auto info_name = std::make_shared<std::string>();
  CLI::App* info = streams->add_subcommand("info", "a stream's consumer groups: lag, pending and idle per consumer");
  info->add_option("name", *info_name, "express, events, dlq, an account id, or a stream key")->required();
  info->callback([&ctx, &run, info_name] { run = [&ctx, info_name] { return Info(ctx, *info_name); }; });

  struct PendingOptions {
    std::string name, group;
    int count = 20;
  };
  auto p = std::make_shared<PendingOptions>();
  CLI::App* pending = streams->add_subcommand("pending", "entries read but not acknowledged, oldest first");
  pending->add_option("name", p->name, "express, events, dlq, an account id, or a stream key")->required();
  pending->add_option("--group", p->group, "consumer group (default: report for events, else sched)");
  pending->add_option("--count", p->count, "entries to show")->check(CLI::PositiveNumber);
  pending->callback([&ctx, &run, p] { run = [&ctx, p] { return Pending(ctx, p->name, p->group, p->count); }; });
}

}  // namespace smsgw::smsctl
