#pragma once
// Bitext retrieval: for each language, English sentences of one split and
// their translations; accuracy@1 of finding the translation among N
// candidates, in both directions.
#include <map>
#include <string>
#include <vector>

#include "data/manifest.h"
#include "text/sentence_encoder.h"

namespace clasp {

struct BitextScore {
  std::string lang;
  size_t candidates = 0;
  double en_to_x = 0, x_to_en = 0;
};

std::vector<BitextScore> eval_bitext(SentenceEncoder& enc, const std::vector<Utterance>& utts,
                                     const std::string& split, size_t candidates, uint64_t seed);

// Same-language sanity check: each English sentence against a lower-cased,
// punctuation-free copy of itself among N candidates (accuracy@1).
double eval_same_language(SentenceEncoder& enc, const std::vector<Utterance>& utts, const std::string& split,
                          size_t candidates, uint64_t seed);

// accuracy@1 of rows of `a` retrieving the same row of `b` (both n x dim, normalised).
double retrieval_acc1(const std::vector<float>& a, const std::vector<float>& b, size_t n, size_t dim);

}  // namespace clasp
