#include "util/progress.h"

#include <unistd.h>

#include <cstdio>

namespace clasp {

Progress::Progress(std::string label, int64_t total, std::string unit, int64_t already_done)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), done_(already_done),
      start_done_(already_done), tty_(isatty(2)) {
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

double Progress::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string Progress::format_duration(double s) {
  if (s < 0 || s > 1e7) return "--:--";
  long t = static_cast<long>(s + 0.5);
  char buf[32];
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
  else std::snprintf(buf, sizeof buf, "%02ld:%02ld", t / 60, t % 60);
  return buf;
}

void Progress::update(int64_t done, const std::string& extra) {
  done_ = done;
  auto now = std::chrono::steady_clock::now();
  double since = std::chrono::duration<double>(now - last_draw_).count();
  if (since < (tty_ ? 0.2 : 10.0)) return;
  last_draw_ = now;
  draw(extra, false);
}

void Progress::finish(const std::string& extra) { draw(extra, true); }

void Progress::draw(const std::string& extra, bool final) {
  double el = elapsed_s();
  double rate = el > 0.05 ? (done_ - start_done_) / el : 0;  // no rate from a blink
  double eta = rate > 0 ? (total_ - done_) / rate : -1;
  int width = 24;
  int filled = total_ > 0 ? static_cast<int>(width * done_ / total_) : 0;
  std::string bar(filled, '#');
  bar += std::string(width - filled, '.');
  double pct = total_ > 0 ? 100.0 * done_ / total_ : 100.0;
  std::fprintf(stderr, "%s%s [%s] %lld/%lld %s (%.0f%%) %.1f %s/s  elapsed %s  ETA %s%s%s%s",
               tty_ ? "\r\033[K" : "", label_.c_str(), bar.c_str(), static_cast<long long>(done_),
               static_cast<long long>(total_), unit_.c_str(), pct, rate, unit_.c_str(),
               format_duration(el).c_str(), final ? "00:00" : format_duration(eta).c_str(),
               extra.empty() ? "" : "  ", extra.c_str(), (!tty_ || final) ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace clasp
