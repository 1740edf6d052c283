#pragma once
// Seeded, platform-independent hashing: splits, voice choices and samples
// must be identical on every machine and standard library, so nothing here
// uses std::hash or std::*_distribution.
#include <cstdint>
#include <string_view>

namespace clasp {

uint64_t fnv1a64(std::string_view s);
uint64_t splitmix64(uint64_t x);
// Hash of (seed, key): the basis of every deterministic choice in the project.
uint64_t seeded_hash(uint64_t seed, std::string_view key);
// Uniform double in [0, 1) from a hash value.
double unit_from_hash(uint64_t h);

}  // namespace clasp
