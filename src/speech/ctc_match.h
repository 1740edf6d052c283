#pragma once
// How well a query's phonemes explain a clip, read from the clip's CTC
// posteriors rather than from its greedy transcript: the CTC probability of
// the query's phoneme sequence over the whole clip, against that of the
// clip's likeliest frame-by-frame path, per query phoneme (a log-likelihood
// ratio r <= about 0). Where the recogniser was unsure of a phoneme the
// greedy transcript has dropped or replaced it, but the posteriors still
// give it weight, so voices unlike the training ones are matched better.
// No torch types in this header.
#include <cstdint>
#include <vector>

#include "speech/phone_posteriors.h"

namespace clasp {

struct CtcMatchOptions {
  // match = max(0, 1 + r / span): 1 where the query explains the clip as
  // well as its best path, 0 from `span` nats per phoneme below it. The
  // floor keeps clips the query does not explain at all (every clip, for a
  // query in another language) from adding noise. Chosen on validation
  // views (docs/clasp.md).
  double span = 3.0;
};

// One match in [0, 1] per clip; NaN for a null or empty clip, and for all
// of them when the query is empty (no evidence either way). A query too
// long for a clip to say in its frames matches it 0.
std::vector<float> ctc_match(const std::vector<int64_t>& query, const std::vector<const PhonePosteriors*>& clips,
                             const CtcMatchOptions& opt = {});

}  // namespace clasp
