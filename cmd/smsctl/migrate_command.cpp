// smsctl migrate
#include "context.h"
#include "pg/migrate.h"

namespace smsgw::smsctl {

void AddMigrateCommand(CLI::App& app, Context& ctx, Action& run) {
  CLI::App* migrate = app.add_subcommand("migrate", "apply the PostgreSQL schema migrations this version needs");
  migrate->callback([&ctx, &run] {
    run = [&ctx]() -> Status {
      Result<config::Config> config = ctx.LoadConfig();
      if (!config.ok()) return config.status();
      Result<std::vector<int>> applied = pg::Migrate(config->postgres.dsn);
      if (!applied.ok()) return applied.status();
      std::string text = applied->empty() ? "schema is up to date" : "applied migrations:";
      for (int v : *applied) text += " " + std::to_string(v);
      ctx.Print({{"applied", *applied}}, text);
      return Status::Ok();
    };
  });
}

}  // namespace smsgw::smsctl
