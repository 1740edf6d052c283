#include "util/progress.h"

#include <cstdio>
#include <memory>
#include <mutex>

namespace clasp {

namespace {
std::mutex g_mu;
std::shared_ptr<const ProgressHandler> g_handler;  // copied out under the lock, called outside it
double g_interval_s = 10.0;

std::pair<std::shared_ptr<const ProgressHandler>, double> current_handler() {
  std::lock_guard lock(g_mu);
  return {g_handler, g_interval_s};
}
}  // namespace

void set_progress_handler(ProgressHandler handler, double min_interval_s) {
  std::lock_guard lock(g_mu);
  g_handler = handler ? std::make_shared<const ProgressHandler>(std::move(handler)) : nullptr;
  g_interval_s = min_interval_s;
}

Progress::Progress(std::string label, int64_t total, std::string unit, int64_t already_done)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), done_(already_done), start_done_(already_done),
      interval_s_(current_handler().second) {
  start_ = last_report_ = std::chrono::steady_clock::now();
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
  const auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - last_report_).count() < interval_s_) return;  // no lock per update
  last_report_ = now;
  report(extra, false);
}

void Progress::finish(const std::string& extra) { report(extra, true); }

void Progress::report(const std::string& extra, bool final) {
  const auto handler = current_handler().first;
  if (!handler) return;
  ProgressReport r;
  r.label = label_;
  r.unit = unit_;
  r.extra = extra;
  r.done = done_;
  r.total = total_;
  r.elapsed_s = elapsed_s();
  r.rate = r.elapsed_s > 0.05 ? static_cast<double>(done_ - start_done_) / r.elapsed_s : 0;  // no rate from a blink
  r.eta_s = final ? 0 : r.rate > 0 ? static_cast<double>(total_ - done_) / r.rate : -1;
  r.final = final;
  (*handler)(r);
}

}  // namespace clasp
