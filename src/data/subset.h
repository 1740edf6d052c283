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

// Sentences of a multilingual manifest chosen by their English source:
// a seeded sample of `limit` English sentences (0 = all) decides which
// validation and test sentences are kept, and a larger nested sample of
// `train_limit` (0 = same as limit) the training ones. Samples are nested
// (a larger limit keeps every sentence of a smaller one), so a corpus can
// grow its training split while its validation and test split stay fixed.
// Translations follow their source; input order is kept.
std::vector<Utterance> select_by_source(const std::vector<Utterance>& utts, size_t limit,
                                        size_t train_limit, uint64_t seed);

}  // namespace clasp
