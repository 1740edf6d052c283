#pragma once
// Token bucket per client address: `rate` requests per second on average,
// bursts up to `burst`. Thread-safe.
#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace clasp {

class RateLimiter {
 public:
  RateLimiter(double rate, double burst) : rate_(rate), burst_(burst) {}
  bool allow(const std::string& client);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  double rate_, burst_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace clasp
