#include "serve/rate_limiter.h"

#include <algorithm>

namespace clasp {

bool RateLimiter::allow(const std::string& client) {
  if (rate_ <= 0) return true;
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  // Forget idle clients now and then so the table cannot grow without bound.
  if (buckets_.size() > 10000) {
    for (auto it = buckets_.begin(); it != buckets_.end();)
      it = now - it->second.last > std::chrono::minutes(1) ? buckets_.erase(it) : std::next(it);
  }
  auto [it, fresh] = buckets_.try_emplace(client, Bucket{burst_, now});
  auto& b = it->second;
  if (!fresh) {
    b.tokens = std::min(burst_, b.tokens + rate_ * std::chrono::duration<double>(now - b.last).count());
    b.last = now;
  }
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

}  // namespace clasp
