#include "log/log.h"

#include <spdlog/sinks/stdout_sinks.h>

#include <cstdlib>

namespace smsgw::log {

void Init(const std::string& program, const std::string& level) {
  auto logger = spdlog::stderr_logger_mt(program);
  const bool under_journald = std::getenv("JOURNAL_STREAM") != nullptr;
  logger->set_pattern(under_journald ? "%l %v" : "%Y-%m-%d %H:%M:%S.%e %n[%P] %l %v");
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace smsgw::log
