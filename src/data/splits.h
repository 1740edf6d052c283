#pragma once
#include <cstdint>
#include <vector>

#include "data/manifest.h"

namespace clasp {

struct SplitRatios {
  double validation = 0.1;
  double test = 0.1;
};

// Assigns train/validation/test by source document, stratified by category,
// deterministically from the seed: every sentence of a document shares its
// split, so no test document leaks into training.
void assign_splits_by_document(std::vector<Utterance>& utts, uint64_t seed, SplitRatios ratios);

}  // namespace clasp
