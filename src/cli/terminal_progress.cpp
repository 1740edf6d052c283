#include "cli/terminal_progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "util/progress.h"

namespace clasp::cli {

void use_terminal_progress() {
  const bool tty = isatty(2);
  set_progress_handler(
      [tty](const ProgressReport& r) {
        const int width = 24;
        const int filled = r.total > 0 ? static_cast<int>(width * r.done / r.total) : 0;
        std::string bar(static_cast<size_t>(std::max(0, std::min(width, filled))), '#');
        bar += std::string(static_cast<size_t>(width) - bar.size(), '.');
        const double pct = r.total > 0 ? 100.0 * static_cast<double>(r.done) / static_cast<double>(r.total) : 100.0;
        std::fprintf(stderr, "%s%s [%s] %lld/%lld %s (%.0f%%) %.1f %s/s  elapsed %s  ETA %s%s%s%s",
                     tty ? "\r\033[K" : "", r.label.c_str(), bar.c_str(), static_cast<long long>(r.done),
                     static_cast<long long>(r.total), r.unit.c_str(), pct, r.rate, r.unit.c_str(),
                     Progress::format_duration(r.elapsed_s).c_str(), Progress::format_duration(r.eta_s).c_str(),
                     r.extra.empty() ? "" : "  ", r.extra.c_str(), (!tty || r.final) ? "\n" : "");
        std::fflush(stderr);
      },
      tty ? 0.2 : 10.0);
}

}  // namespace clasp::cli
