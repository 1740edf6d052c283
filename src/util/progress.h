#pragma once
// A progress line for long jobs: count, rate, ETA and an optional extra
// figure (e.g. audio hours). On a terminal it redraws in place; otherwise
// (CI logs) it prints a plain line every few seconds.
#include <chrono>
#include <cstdint>
#include <string>

namespace clasp {

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
  void draw(const std::string& extra, bool final);
  std::string label_, unit_;
  int64_t total_, done_ = 0, start_done_ = 0;
  bool tty_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace clasp
