#pragma once
// Where clasp's log lines go: standard error, always, so a command's standard
// output (--json answers, tables, .npy on stdout) is never mixed with a warning.

namespace clasp {

// Makes spdlog's default logger write to stderr. Call first in main().
void log_to_stderr();

}  // namespace clasp
