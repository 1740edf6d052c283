#pragma once
#include <cstdint>
#include <vector>

#include "data/manifest.h"

namespace clasp {

// A deterministic sample of n utterances (all when n >= size), chosen by a
// seeded hash of the id so it keeps the split and category mix on average;
// the result keeps the input order.
std::vector<Utterance> sample_utterances(const std::vector<Utterance>& utts, size_t n,
                                         uint64_t seed);

}  // namespace clasp
