#include "index/phonetic_rerank.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "index/phonetic_match.h"

namespace clasp {

void phonetic_rerank(std::vector<float>& scores, const std::vector<int64_t>& query,
                     const std::function<const std::vector<int64_t>&(size_t)>& phones, const PhoneticRerankOptions& opt) {
  const size_t k = std::min(opt.top_k, scores.size());
  if (k == 0 || query.empty() || opt.weight == 0.0f) return;
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + static_cast<long>(k), order.end(),
                    [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  static const PhoneCosts unit;
  const PhoneCosts& costs = opt.costs ? *opt.costs : unit;
  const std::vector<size_t> top(order.begin(), order.begin() + static_cast<long>(k));
  // The match of q with the candidates at `ranks` (positions in `top`).
  auto match_of = [&](const std::vector<int64_t>& q, const std::vector<size_t>& ranks, float local_weight) {
    std::vector<size_t> cands(ranks.size());
    std::vector<float> m(ranks.size());
    for (size_t r = 0; r < ranks.size(); ++r) {
      cands[r] = top[ranks[r]];
      m[r] = phonetic_match_whole(q, phones(cands[r]), costs, local_weight);
    }
    if (opt.posterior_match) {
      auto post = opt.posterior_match(q, cands);
      if (post.size() == m.size() && std::none_of(post.begin(), post.end(), [](float v) { return std::isnan(v); }))
        for (size_t r = 0; r < m.size(); ++r) m[r] = 0.5f * (m[r] + post[r]);
    }
    return m;
  };
  std::vector<size_t> all(k);
  std::iota(all.begin(), all.end(), 0);
  auto match = match_of(query, all, opt.query_local_weight);
  const size_t n_glosses = opt.glosses ? opt.glosses->size() : 0;
  for (size_t g = 0; g < n_glosses; ++g) {
    const auto& gloss = (*opt.glosses)[g];
    if (gloss.empty()) continue;
    std::vector<size_t> ranks;
    for (size_t r = 0; r < k; ++r)
      if (!opt.tries_gloss || opt.tries_gloss(top[r], g)) ranks.push_back(r);
    if (ranks.empty()) continue;
    const auto gm = match_of(gloss, ranks, 0.5f);
    for (size_t j = 0; j < ranks.size(); ++j) match[ranks[j]] = std::max(match[ranks[j]], opt.gloss_weight * gm[j]);
  }
  // Only a match above the candidates' median counts: unrelated phonemes
  // still align in part, and that chance level would otherwise reorder the
  // first stage's ranking by noise (a query in another language).
  auto sorted = match;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(k / 2), sorted.end());
  const float chance = sorted[k / 2];
  for (size_t r = 0; r < k; ++r) scores[order[r]] += opt.weight * std::max(0.0f, match[r] - chance);
}

}  // namespace clasp
