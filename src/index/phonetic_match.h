#pragma once
// Phonetic search: a text query's phonemes (espeak-ng) against the phoneme
// transcripts the speech encoder's CTC head made of each indexed segment.
#include <cstdint>
#include <vector>

#include "index/phone_costs.h"

namespace clasp {

// 1 - (fewest edits turning `query` into some stretch of `segment`) /
// |query|: 1 = the query is spoken somewhere in the segment, 0 = nothing
// alike. Free start and end in the segment, so a short query matches inside
// a long segment. With costs, an edit the recogniser often makes counts
// less than one (index/phone_costs.h).
float phonetic_match(const std::vector<int64_t>& query, const std::vector<int64_t>& segment,
                     const PhoneCosts& costs = PhoneCosts{});

// local_weight x phonetic_match + the rest x how alike the two are as
// wholes (1 - edit distance / the longer length). The second part tells a
// segment that is the query from one that merely holds a stretch like it:
// with a recogniser reading half the phonemes wrong, a long wrong segment
// often holds such a stretch. A short query inside a long segment gains
// from the first part.
float phonetic_match_whole(const std::vector<int64_t>& query, const std::vector<int64_t>& segment,
                           const PhoneCosts& costs = PhoneCosts{}, float local_weight = 0.5f);

}  // namespace clasp
