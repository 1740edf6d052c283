#pragma once
// The two-stage search at scale (`clasp bench-search --two-stage`): larger
// collections made from an index of real speech, the product's candidate
// path (vectors' best + the phonetic candidate index's best, matched
// exactly, then re-ranked) timed against the exhaustive two-stage ranking
// (every vector, every transcript) that it must agree with.
//
// A collection of N segments holds the index's own segments unchanged (the
// queries' answers), then N - B made ones: a stretch of one real
// transcript followed by a stretch of another (about 40 phonemes, some 3.5 s
// of speech), with recogniser-like substitutions, deletions and insertions,
// so no two are alike and many share phrases with the answers; its vector
// mixes those two segments' real vectors with a little of a third's. The
// made vectors are a function of a few numbers, so the exhaustive vector
// ranking needs no stored copy. CTC posteriors are left out of both paths
// (transcript match only).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "index/audio_index.h"
#include "index/phone_gram_index.h"

namespace clasp {

class Searcher;

struct TwoStageBenchOptions {
  std::string truth;              // clasp data longform's truth.jsonl for the index's recording(s)
  std::vector<size_t> sizes = {10000, 100000, 1000000};
  size_t queries = 100;           // timed through the product path
  size_t exhaustive_queries = 30; // of those, also ranked exhaustively (the reference for recall)
  size_t query_words = 4;         // each query: the first N words of its sentence (0 = all)
  SearchOptions search;           // rerank, scan, scan_words, phonetic_candidates, nprobe
  PhoneGramOptions grams;         // the phonetic candidate index's (refine: 0 = BM25 alone)
  std::string ann = "auto";       // first stage: flat | ivf-flat | ivf-sq8 | auto (flat up to 20,000 segments, ivf-sq8 above)
  double edit_rate = 0.1;         // substitutions, deletions, insertions, each, per phoneme of a made segment
  uint64_t seed = 1;
  int threads = 2;
};

struct TwoStageBenchRow {
  size_t segments = 0, queries = 0, exhaustive_queries = 0;
  double audio_hours = 0;
  std::string ann;
  double build_s = 0;
  double rss_mb = 0, peak_rss_mb = 0;  // of the whole process after the build (VmRSS, VmHWM)
  double grams_mb = 0, vectors_mb = 0, phones_mb = 0;
  double p50_ms = 0, p99_ms = 0;        // product path, warm
  double exhaustive_p50_ms = 0;
  double recall1 = 0, recall10 = 0;     // product vs exhaustive two-stage ranking
  // recall1 counting as agreement a product first that scores as high as the
  // exhaustive first in the exhaustive ranking (a tie: equally good)
  double recall1_ties = 0;
  double ann_recall10 = 1;              // first stage alone: ANN best 10 vs exact best 10
  double truth_hits1 = 0;               // product's first result is the query's own segment (all queries)
  double truth_hits1_exh = 0, truth_hits1_prod_exh = 0;  // the same over the exhaustive queries: reference, product
};

std::vector<TwoStageBenchRow> bench_two_stage(Searcher& s, const TwoStageBenchOptions& opt);

}  // namespace clasp
