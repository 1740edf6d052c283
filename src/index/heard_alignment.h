#pragma once
// Where in what the recogniser heard a query was found: the stretch of a
// hit's readable transcript (Searcher::attach_heard) that the query's
// phonemes align with best, so the page and the CLI can mark it. Shown only
// for a query of at least 4 phonemes whose alignment is close (at most a
// third of them edited): a query in another language, or a hit found by
// meaning alone, gets no mark.
#include <cstddef>
#include <string>
#include <vector>

namespace clasp {

struct HeardSpan {
  size_t begin = 0, end = 0;  // code points of the transcript; begin == end: no mark
  bool empty() const { return begin >= end; }
};

// query: phoneme symbols (ipa_symbols, word boundaries "|" ignored);
// heard: a readable transcript (symbols, words apart by spaces).
HeardSpan best_heard_span(const std::vector<std::string>& query, const std::string& heard);

}  // namespace clasp
