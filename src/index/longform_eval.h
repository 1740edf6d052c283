#pragma once
// Search quality on long recordings with known clip positions (see
// data/longform.h): each clip's transcript (or its translation into another
// language) is a query; a hit is right when it is in the clip's recording
// and both its start and end lie within `tolerance` seconds of the clip's.
#include <string>
#include <vector>

namespace clasp {

class Searcher;

struct LongformEvalOptions {
  std::string truth;                 // truth.jsonl of the recordings
  std::string query_manifest;        // corpus manifest holding translations ("" = own transcripts)
  std::vector<std::string> query_langs;  // with query_manifest: one run per language
  int k = 10;
  double tolerance = 1.0;
  size_t max_queries = 0;  // 0 = all
  bool phonetic = false;   // Searcher::search_phonetic in the query's language instead of CLASP vectors
  // > 0: each query is only the first query_words words of its text (a
  // phrase typed by someone who remembers part of what was said).
  size_t query_words = 0;
  size_t rerank = 50;  // second stage of the vector search, as SearchOptions::rerank (0 = vectors alone)
  size_t scan = 50;  // phonetic-scan candidates of the second stage for phrases, as SearchOptions::scan
  size_t phonetic_candidates = 1000;  // as SearchOptions::phonetic_candidates (0 = exhaustive scan)
};

struct LongformEvalResult {
  std::string query_lang;  // "" = the clip's own language
  size_t queries = 0, missing_translation = 0;
  double hits1 = 0, mrr = 0, r10 = 0;
  // The first result is the clip, or another clip in the recordings that
  // says the same sentence in another language (same source_id): the right
  // content, which HITS@1 counts as a miss.
  double hits1_same_sentence = 0;
  double latency_p50_ms = 0, latency_p99_ms = 0;
  double mean_abs_start_err = 0;  // seconds, over HITS@1 hits
};

std::vector<LongformEvalResult> evaluate_longform(Searcher& s, const LongformEvalOptions& opt);

}  // namespace clasp
