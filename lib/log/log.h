#pragma once

#include <spdlog/spdlog.h>

#include <string>

#include "common/status.h"

namespace smsgw::log {

// One logger set-up for every binary: plain lines on stderr (journald adds the time under
// systemd, so lines carry no timestamp when JOURNAL_STREAM is set), level from [log] level.
void Init(const std::string& program, const std::string& level);

// SIGHUP: a new level for every logger.
void SetLevel(const std::string& level);

// SIGHUP: when standard error was a regular file at Init (the devenv's var/log/*.log, or a
// unit's StandardError=append:/var/log/smsgw/...), the file of that name is opened again and
// put in its place, so a log moved away by logrotate is let go and a fresh one started.
// Nothing to do for a terminal, a pipe or journald's socket.
Status ReopenStderr();

}  // namespace smsgw::log
