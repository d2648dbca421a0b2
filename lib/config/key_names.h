#pragma once

#include <string>
#include <vector>

namespace smsgw::config {

// Every key the loader reads, as "section.key" ("operators.name" for [[operators]]), in the
// order the loader reads them: what smsgw.toml(5) must document (tests/unit/man_pages_test).
std::vector<std::string> KeyNames();

}  // namespace smsgw::config
