#pragma once
#include <algorithm>
#include <cmath>

namespace clasp {

// Linear warm-up to `peak`, then cosine decay to zero at `total` steps.
inline double warmup_cosine_lr(double peak, int step, int warmup, int total) {
  if (step < warmup) return peak * (step + 1) / std::max(1, warmup);
  double p = static_cast<double>(step - warmup) / std::max(1, total - warmup);
  return peak * 0.5 * (1 + std::cos(M_PI * std::min(1.0, p)));
}

}  // namespace clasp
