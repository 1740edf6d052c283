#include "index/search_json.h"

#include "util/utf8.h"

namespace clasp {

nlohmann::json hits_to_json(const std::vector<SearchHit>& hits) {
  auto arr = nlohmann::json::array();
  int rank = 0;
  for (const auto& h : hits) {
    // File names are bytes: one that is not UTF-8 is sent escaped, and says so.
    bool escaped = false;
    nlohmann::json j = {{"rank", ++rank},
                        {"score", h.score},
                        {"segment_id", h.segment.id},
                        {"file_id", h.segment.file_id},
                        {"file", escape_invalid_utf8(h.segment.path, &escaped)},
                        {"start", h.segment.start},
                        {"end", h.segment.end},
                        {"lang", escape_invalid_utf8(h.segment.lang)},
                        {"text", escape_invalid_utf8(h.segment.text)}};
    if (escaped) j["file_escaped"] = true;
    arr.push_back(std::move(j));
  }
  return arr;
}

nlohmann::json status_to_json(const IndexStatus& s) {
  nlohmann::json langs = nlohmann::json::object();
  for (const auto& [l, n] : s.languages) langs[l.empty() ? "unknown" : l] = n;
  return {{"model", {{"id", s.model.id}, {"version", s.model.version}, {"dim", s.model.dim}}},
          {"files", s.files},
          {"segments", s.segments},
          {"audio_hours", s.audio_s / 3600},
          {"approx_ready", s.approx_ready},
          {"segments_with_phones", s.with_phones},
          {"segments_with_posteriors", s.with_posteriors},
          {"languages", langs}};
}

}  // namespace clasp
