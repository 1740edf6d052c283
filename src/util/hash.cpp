#include "util/hash.h"

namespace clasp {

uint64_t fnv1a64(std::string_view s) {
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

uint64_t seeded_hash(uint64_t seed, std::string_view key) {
  return splitmix64(fnv1a64(key) ^ splitmix64(seed));
}

double unit_from_hash(uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

}  // namespace clasp
