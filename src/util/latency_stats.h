#pragma once
// Latency figures shared by the benchmarks and evaluations: milliseconds
// since a start, and the percentile they report (p50, p99).
#include <chrono>
#include <vector>

namespace clasp {

inline double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// The q-th quantile (0..1) of `v` as the benchmarks report it: the value at
// rank floor(q * n) of the sorted values (the largest for q near 1); 0 when empty.
double latency_percentile(std::vector<double> v, double q);

}  // namespace clasp
