#pragma once
// Second stage of a two-stage search. The first stage (CLASP vectors)
// scores every candidate; the best few are then scored again by how closely
// the query's phonemes occur in each one's phoneme transcript (the speech
// encoder's greedy CTC decoding, index/phonetic_match.h). An alignment of
// phonemes tolerates the recogniser's errors on unfamiliar voices far
// better than any one vector per clip does. Only a match above the
// candidates' median counts, so a query in another language than the audio
// (whose phonemes align with every candidate about equally badly) keeps
// the first stage's order. (Weighting the match by the clip's language
// probability as well was tried, on validation, and lost more than it kept.)
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "index/phone_costs.h"

namespace clasp {

// Defaults chosen on the validation split heard through random views
// (`clasp eval --view-seed 1 --rerank K --rerank-weight W`, docs/clasp.md).
struct PhoneticRerankOptions {
  size_t top_k = 50;    // how many first-stage candidates are scored again (0 = none)
  float weight = 3.0f;  // of the phonetic match above chance, added to the first-stage score
  const PhoneCosts* costs = nullptr;  // the recogniser's confusions, not owned (nullptr = unit costs)
  // A second match in [0, 1] of a query pronunciation read from the
  // candidates' CTC posteriors (speech/ctc_match.h), given their positions
  // in `scores`; NaN where a candidate has none. When all of them have one,
  // a candidate's match is the mean of it and the transcript match;
  // otherwise the transcript's alone.
  std::function<std::vector<float>(const std::vector<int64_t>& query, const std::vector<size_t>& top)> posterior_match;
  // Glosses of the query (text/word_lexicon.h), each pronounced in its
  // language, not owned: a non-English query's English gloss, an English
  // query's glosses into the languages of the audio. A candidate's match is
  // then the best of the query's and the glosses', so a query finds speech
  // in another language as well as in its own. nullptr or empty glosses = none.
  const std::vector<std::vector<int64_t>>* glosses = nullptr;
  // Whether gloss g (an index into *glosses) is tried on the candidate at
  // position i of `scores` (e.g. only where it is in the gloss's language);
  // unset = every gloss on every candidate.
  std::function<bool(size_t i, size_t g)> tries_gloss;
  // A gloss's match counts this much of the query's own: a candidate that
  // says the query in the query's language stays above one that says it in
  // another (a recording often holds both). Chosen on validation (docs/text.md).
  float gloss_weight = 0.8f;
  // The query's own match: this share from its best stretch in the
  // candidate, the rest from the two as wholes (phonetic_match_whole), so a
  // phrase said inside a long segment is found; glosses keep 0.5 (their
  // word order rarely follows the speech). Chosen on validation
  // (docs/search.md: 4-word phrases 0.841 -> 0.959 on the validation recording).
  float query_local_weight = 0.7f;
};

// For the top_k highest scores: scores[k] += weight *
// max(0, match(query, k) - the median match of those top_k), where match
// is phonetic_match_whole(query, phones(k)), with the posterior match
// averaged in when given, and the best of that and the glosses' when given. The others are left as they are, and stay below: the added term
// is never negative, so this is a re-ranking of the top_k.
void phonetic_rerank(std::vector<float>& scores, const std::vector<int64_t>& query,
                     const std::function<const std::vector<int64_t>&(size_t)>& phones, const PhoneticRerankOptions& opt);

}  // namespace clasp
