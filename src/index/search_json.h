#pragma once
// The JSON shape of search answers, one for `clasp search --json`, the
// server's API and the page: {query, mode, query_lang, notice, results}.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "index/audio_index.h"

namespace clasp {

// The CLI shows files by path (they are the user's); the server by name
// only (its paths are nobody's business; audio is fetched by file_id).
enum class HitFiles { WithPath, NameOnly };

// v to 1 / per_unit (times to the millisecond: 1e3, scores: 1e4), without
// float noise like 16.299999999999997.
double rounded(double v, double per_unit);

// Each hit: rank, score, segment_id, file_id, name (file name), path (with
// WithPath), start and end (s, to the millisecond), lang, text (with
// text_source "manifest": the reference text the clip was indexed with,
// not what was heard), heard (the recogniser's phoneme transcript, IPA).
// first_rank: the rank of hits[0] (a later page of results starts past 1).
nlohmann::json hits_to_json(const std::vector<SearchHit>& hits, HitFiles files = HitFiles::WithPath, int first_rank = 1);

struct SearchAnswer {
  std::string query;       // the text, or "" for an audio query
  std::string mode;        // "meaning", "meaning+sounds" (two-stage), "sounds" (phonetic), "audio"
  std::string query_lang;  // "" when none was given
  std::string notice;      // why the search is not what was asked for, if it is not
  // Machine translations of the query the search also matched (--translate):
  // shown so a user sees what was searched in their name.
  std::vector<QueryTranslation> translations = {};
};
// A text search's answer: its mode ("meaning+sounds" when re-ranking was
// asked for and Searcher::meaning_only_reason has no objection, else
// "meaning"), and a notice when a query language was given but its sounds
// could not be matched.
SearchAnswer text_search_answer(const std::string& query, const std::string& query_lang, bool rerank,
                                const std::string& meaning_only_reason);
// [{lang, text, by: "apertium"}]: SearchAnswer::translations as the answers carry them.
nlohmann::json translations_json(const std::vector<QueryTranslation>& translations);
nlohmann::json search_answer_json(const SearchAnswer& a, const std::vector<SearchHit>& hits, HitFiles files,
                                  int first_rank = 1);

// What an `index add` did (CLI --json and the server's /api/add).
nlohmann::json add_report_to_json(const AddReport& r);

nlohmann::json status_to_json(const IndexStatus& s);

}  // namespace clasp
