#include "util/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace clasp {

void log_to_stderr() {
  auto existing = spdlog::get("clasp");
  spdlog::set_default_logger(existing ? existing : spdlog::stderr_color_mt("clasp"));
}

}  // namespace clasp
