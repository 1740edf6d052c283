#include "eval/eval_bitext.h"

#include <cctype>
#include <set>

#include "data/subset.h"
#include "text/parallel_pairs.h"
#include "util/error.h"

namespace clasp {

double retrieval_acc1(const std::vector<float>& a, const std::vector<float>& b, size_t n, size_t dim) {
  size_t hits = 0;
  for (size_t i = 0; i < n; ++i) {
    const float* q = &a[i * dim];
    size_t best = 0;
    float best_s = -1e30f;
    for (size_t j = 0; j < n; ++j) {
      const float* c = &b[j * dim];
      float s = 0;
      for (size_t k = 0; k < dim; ++k) s += q[k] * c[k];
      if (s > best_s) {
        best_s = s;
        best = j;
      }
    }
    hits += best == i;
  }
  return n ? static_cast<double>(hits) / n : 0;
}

std::vector<BitextScore> eval_bitext(SentenceEncoder& enc, const std::vector<Utterance>& utts,
                                     const std::string& split, size_t candidates, uint64_t seed) {
  auto groups = parallel_groups(utts, split);
  std::set<std::string> langs;
  for (const auto& g : groups)
    for (const auto& [l, t] : g.translations) langs.insert(l);
  if (langs.empty()) throw Error("bitext eval: no translated sentences in split \"" + split + "\"");
  std::vector<BitextScore> out;
  const size_t dim = static_cast<size_t>(enc.dim());
  for (const auto& lang : langs) {
    std::vector<Utterance> ids;  // sample by id, reusing the corpus sampler
    for (const auto& g : groups)
      if (g.translations.count(lang)) {
        Utterance u;
        u.id = g.id;
        ids.push_back(u);
      }
    auto chosen = sample_utterances(ids, candidates, seed);
    std::set<std::string> keep;
    for (const auto& u : chosen) keep.insert(u.id);
    std::vector<std::string> en, x;
    for (const auto& g : groups)
      if (keep.count(g.id)) {
        en.push_back(g.english);
        x.push_back(g.translations.at(lang));
      }
    auto ea = enc.embed(en), eb = enc.embed(x);
    BitextScore s;
    s.lang = lang;
    s.candidates = en.size();
    s.en_to_x = retrieval_acc1(ea, eb, en.size(), dim);
    s.x_to_en = retrieval_acc1(eb, ea, en.size(), dim);
    out.push_back(s);
  }
  return out;
}

double eval_same_language(SentenceEncoder& enc, const std::vector<Utterance>& utts, const std::string& split,
                          size_t candidates, uint64_t seed) {
  std::vector<Utterance> en;
  for (const auto& u : utts)
    if (u.lang == "en" && u.source_id.empty() && (split.empty() || u.split == split)) en.push_back(u);
  en = sample_utterances(en, candidates, seed);
  std::vector<std::string> a, b;
  for (const auto& u : en) {
    a.push_back(u.text);
    std::string t;
    for (unsigned char c : u.text)
      if (std::isalnum(c) || c == ' ' || c >= 0x80) t += static_cast<char>(std::tolower(c));
    b.push_back(t);
  }
  auto ea = enc.embed(a), eb = enc.embed(b);
  return retrieval_acc1(ea, eb, a.size(), static_cast<size_t>(enc.dim()));
}

}  // namespace clasp
