#include "index/search_json.h"

#include <cmath>
#include <filesystem>

#include "util/utf8.h"

namespace clasp {

// Divided, not multiplied by 1e-3: n / 1000 is the double nearest the
// decimal, n * 0.001 is often one off it (1.2345000000000002).
double rounded(double v, double per_unit) { return std::round(v * per_unit) / per_unit; }

nlohmann::json hits_to_json(const std::vector<SearchHit>& hits, HitFiles files, int first_rank) {
  auto arr = nlohmann::json::array();
  int rank = first_rank - 1;
  for (const auto& h : hits) {
    // File names are bytes: one that is not UTF-8 is sent escaped, and says so.
    bool escaped = false;
    const std::string name = std::filesystem::path(h.segment.path).filename().string();
    nlohmann::json j = {{"rank", ++rank},
                        {"score", rounded(h.score, 1e4)},
                        {"segment_id", h.segment.id},
                        {"file_id", h.segment.file_id},
                        {"name", escape_invalid_utf8(name, &escaped)},
                        {"start", rounded(h.segment.start, 1e3)},
                        {"end", rounded(h.segment.end, 1e3)},
                        {"lang", escape_invalid_utf8(h.segment.lang)},
                        {"text", escape_invalid_utf8(h.segment.text)},
                        {"heard", escape_invalid_utf8(h.heard)}};
    if (h.heard_match_end > h.heard_match_begin)  // where in `heard` the query was found, code points [begin, end)
      j["heard_match"] = {h.heard_match_begin, h.heard_match_end};
    if (!h.segment.text.empty()) j["text_source"] = "manifest";
    if (files == HitFiles::WithPath) j["path"] = escape_invalid_utf8(h.segment.path, &escaped);
    if (escaped) j["file_escaped"] = true;
    arr.push_back(std::move(j));
  }
  return arr;
}

nlohmann::json translations_json(const std::vector<QueryTranslation>& translations) {
  auto arr = nlohmann::json::array();
  for (const auto& t : translations)
    arr.push_back({{"lang", escape_invalid_utf8(t.lang)}, {"text", escape_invalid_utf8(t.text)}, {"by", "apertium"}});
  return arr;
}

SearchAnswer text_search_answer(const std::string& query, const std::string& query_lang, bool rerank,
                                const std::string& meaning_only_reason) {
  SearchAnswer a{query, rerank && meaning_only_reason.empty() ? "meaning+sounds" : "meaning", query_lang, ""};
  if (!query_lang.empty() && !meaning_only_reason.empty()) a.notice = "matched by meaning alone: " + meaning_only_reason;
  return a;
}

nlohmann::json search_answer_json(const SearchAnswer& a, const std::vector<SearchHit>& hits, HitFiles files,
                                  int first_rank) {
  // The query language is the request's as sent (only a model with a phonetic
  // part checks it) and the notice may quote it: escaped like every string
  // here, so dump() cannot throw on bytes that are not UTF-8.
  nlohmann::json j = {{"query", escape_invalid_utf8(a.query)},
                      {"mode", a.mode},
                      {"query_lang", escape_invalid_utf8(a.query_lang)}};
  if (!a.notice.empty()) j["notice"] = escape_invalid_utf8(a.notice);
  if (!a.translations.empty()) j["translations"] = translations_json(a.translations);
  j["results"] = hits_to_json(hits, files, first_rank);
  return j;
}

namespace {
// Messages quote file paths, which are bytes.
nlohmann::json escaped_all(const std::vector<std::string>& v) {
  auto arr = nlohmann::json::array();
  for (const auto& s : v) arr.push_back(escape_invalid_utf8(s));
  return arr;
}
}  // namespace

nlohmann::json add_report_to_json(const AddReport& r) {
  return {{"seen", r.seen},         {"added", r.added},         {"replaced", r.replaced},
          {"unchanged", r.unchanged}, {"failed", r.failed},       {"segments", r.segments},
          {"audio_hours", r.audio_s / 3600}, {"wall_s", r.wall_s}, {"failures", escaped_all(r.failures)},
          {"no_speech", escaped_all(r.no_speech)}};
}

nlohmann::json status_to_json(const IndexStatus& s) {
  nlohmann::json langs = nlohmann::json::object();
  for (const auto& [l, n] : s.languages) langs[l.empty() ? "unknown" : escape_invalid_utf8(l)] = n;
  nlohmann::json heard = nlohmann::json::object();
  for (const auto& [l, n] : s.languages_heard) heard[escape_invalid_utf8(l)] = n;
  return {{"model", {{"id", escape_invalid_utf8(s.model.id)}, {"version", escape_invalid_utf8(s.model.version)},
                     {"dim", s.model.dim}}},
          {"files", s.files},
          {"segments", s.segments},
          {"audio_hours", s.audio_s / 3600},
          {"approx_ready", s.approx_ready},
          {"segments_with_phones", s.with_phones},
          {"segments_with_posteriors", s.with_posteriors},
          {"phonetic_index", s.phonetic_index},
          {"languages", langs},
          {"languages_heard", heard}};
}

}  // namespace clasp
