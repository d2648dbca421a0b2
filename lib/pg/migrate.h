#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace smsgw::pg {

struct Migration {
  int version;
  std::string name;
  std::string sql;
};

// The migrations compiled into this binary (lib/pg/migrations/NNNN_name.sql), oldest first.
const std::vector<Migration>& Migrations();

// Applies, each in its own transaction, every migration newer than the database's
// schema_migrations table says, and returns their versions. Concurrent callers are serialised
// by an advisory lock, so two instances starting at once apply each migration once.
Result<std::vector<int>> Migrate(const std::string& dsn);

}  // namespace smsgw::pg
