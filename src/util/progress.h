#pragma once
// Progress of long jobs: count, rate, ETA and an optional extra figure (e.g.
// audio hours), handed to whoever set a handler. The library itself never
// writes to the terminal: the CLI sets a handler that draws a bar
// (cli/terminal_progress.h), a program using the library may set its own,
// and with none set progress goes nowhere.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace clasp {

struct ProgressReport {
  std::string label, unit, extra;
  int64_t done = 0, total = 0;
  double elapsed_s = 0;
  double rate = 0;    // units per second in this run (0 until measurable)
  double eta_s = -1;  // -1 = unknown
  bool final = false;
};
using ProgressHandler = std::function<void(const ProgressReport&)>;

// Installs the handler for every Progress (nullptr = none) and the least
// time between two reports of one job, the last report always sent.
void set_progress_handler(ProgressHandler handler, double min_interval_s = 10.0);

class Progress {
 public:
  // `already_done` counts work finished before this run (a resumed job), so
  // the rate and ETA reflect this run's speed only.
  Progress(std::string label, int64_t total, std::string unit = "items", int64_t already_done = 0);
  // Sets the absolute count; `extra` is appended to the line (may be empty).
  void update(int64_t done, const std::string& extra = "");
  void finish(const std::string& extra = "");
  double elapsed_s() const;
  static std::string format_duration(double seconds);

 private:
  void report(const std::string& extra, bool final);
  std::string label_, unit_;
  int64_t total_, done_ = 0, start_done_ = 0;
  double interval_s_;  // the handler's at construction
  std::chrono::steady_clock::time_point start_, last_report_;
};

}  // namespace clasp
