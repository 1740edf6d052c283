#include "index/longform_eval.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>

#include "data/longform.h"
#include "data/manifest.h"
#include "index/searcher.h"
#include "util/error.h"
#include "util/latency_stats.h"
#include "util/progress.h"

namespace fs = std::filesystem;

namespace clasp {

namespace {
// The first n whitespace-separated words of text.
std::string first_words(const std::string& text, size_t n) {
  std::istringstream in(text);
  std::string w, out;
  for (size_t i = 0; i < n && in >> w; ++i) out += (i ? " " : "") + w;
  return out;
}

}  // namespace

std::vector<LongformEvalResult> evaluate_longform(Searcher& s, const LongformEvalOptions& opt) {
  auto truth = read_longform_truth(opt.truth);
  if (truth.empty()) throw Error(opt.truth + ": no clips");
  if (opt.max_queries && truth.size() > opt.max_queries) truth.resize(opt.max_queries);
  const fs::path rec_dir = fs::absolute(opt.truth).parent_path().lexically_normal();
  std::map<std::pair<std::string, std::string>, std::string> translation;  // (source id, lang) -> text
  std::vector<std::string> langs = {""};
  if (!opt.query_manifest.empty()) {
    for (const auto& u : read_manifest(opt.query_manifest))
      translation[{u.source_id.empty() ? u.id : u.source_id, u.lang}] = u.text;
    langs = opt.query_langs;
    if (langs.empty()) throw Error("longform eval: --query-manifest needs --query-langs");
  }
  std::multimap<std::string, const LongformPiece*> by_source;
  for (const auto& c : truth) by_source.emplace(c.source_id, &c);
  auto at = [&](const IndexedSegment& h, const LongformPiece& c) {
    return h.path == (rec_dir / c.recording).string() && std::abs(h.start - c.start) <= opt.tolerance &&
           std::abs(h.end - c.end) <= opt.tolerance;
  };
  std::vector<LongformEvalResult> out;
  for (const auto& lang : langs) {
    LongformEvalResult r;
    r.query_lang = lang;
    std::vector<double> lat;
    double err = 0;
    size_t hits1 = 0, same_sentence = 0;
    Progress bar("queries" + (lang.empty() ? "" : " (" + lang + ")"), static_cast<int64_t>(truth.size()), "queries");
    size_t done = 0;
    for (const auto& p : truth) {
      bar.update(static_cast<int64_t>(++done));
      std::string q = p.text;
      if (!lang.empty()) {
        auto it = translation.find({p.source_id, lang});
        if (it == translation.end()) {
          ++r.missing_translation;
          continue;
        }
        q = it->second;
      }
      if (opt.query_words) q = first_words(q, opt.query_words);
      SearchOptions so;
      so.k = opt.k;
      so.rerank = opt.rerank;
      so.scan = opt.scan;
      so.phonetic_candidates = opt.phonetic_candidates;
      const std::string& query_lang = lang.empty() ? p.lang : lang;  // each query in its own language
      auto t0 = std::chrono::steady_clock::now();
      auto hits = opt.phonetic ? s.search_phonetic(q, query_lang, so) : s.search_text(q, so, query_lang);
      lat.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      ++r.queries;
      if (!hits.empty()) {
        auto [b, e] = by_source.equal_range(p.source_id);
        same_sentence += std::any_of(b, e, [&](const auto& kv) { return at(hits[0].segment, *kv.second); });
      }
      for (size_t i = 0; i < hits.size(); ++i) {
        if (!at(hits[i].segment, p)) continue;
        r.mrr += 1.0 / static_cast<double>(i + 1);
        if (i < 10) r.r10 += 1;
        if (i == 0) {
          ++hits1;
          err += std::abs(hits[i].segment.start - p.start);
        }
        break;
      }
    }
    bar.finish();
    if (r.queries) {
      r.hits1 = static_cast<double>(hits1) / static_cast<double>(r.queries);
      r.hits1_same_sentence = static_cast<double>(same_sentence) / static_cast<double>(r.queries);
      r.mrr /= static_cast<double>(r.queries);
      r.r10 /= static_cast<double>(r.queries);
    }
    r.mean_abs_start_err = hits1 ? err / static_cast<double>(hits1) : 0;
    r.latency_p50_ms = latency_percentile(lat, 0.5);
    r.latency_p99_ms = latency_percentile(lat, 0.99);
    out.push_back(r);
  }
  return out;
}

}  // namespace clasp
