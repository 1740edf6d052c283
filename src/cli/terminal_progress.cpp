#include "cli/terminal_progress.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include "util/progress.h"

namespace clasp::cli {

namespace {
// A bar is on the terminal's last line, without its newline yet.
std::atomic<bool> bar_open{false};

// On a terminal, a log line written while a bar is drawn clears the bar's
// line first, so it starts on a line of its own (the bar is drawn again at
// its next update) instead of being glued to the bar's end.
class BarAwareSink : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    if (bar_open.exchange(false)) std::fputs("\r\033[K", stderr);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
  }
  void flush_() override { std::fflush(stderr); }
};
}  // namespace

void use_terminal_progress() {
  const bool tty = isatty(2);
  if (tty) {
    auto logger = std::make_shared<spdlog::logger>("clasp", std::make_shared<BarAwareSink>());
    spdlog::drop("clasp");
    spdlog::register_logger(logger);
    spdlog::set_default_logger(logger);
  }
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
        bar_open = tty && !r.final;
      },
      tty ? 0.2 : 10.0);
}

}  // namespace clasp::cli
