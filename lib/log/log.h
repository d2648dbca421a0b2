#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace smsgw::log {

// One logger set-up for every binary: plain lines on stderr (journald adds the time under
// systemd, so lines carry no timestamp when JOURNAL_STREAM is set), level from [log] level.
void Init(const std::string& program, const std::string& level);

}  // namespace smsgw::log
