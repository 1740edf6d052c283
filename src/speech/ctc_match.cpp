#include "speech/ctc_match.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "util/error.h"

namespace clasp {

std::vector<float> ctc_match(const std::vector<int64_t>& query, const std::vector<const PhonePosteriors*>& clips,
                             const CtcMatchOptions& opt) {
  std::vector<float> out(clips.size(), std::numeric_limits<float>::quiet_NaN());
  std::vector<size_t> scored;  // clips with posteriors
  int64_t T = 0, C = 0;
  for (size_t i = 0; i < clips.size(); ++i)
    if (clips[i] && !clips[i]->empty()) {
      if (C && clips[i]->classes != C) throw Error("ctc_match: clips with different phoneme inventories");
      C = clips[i]->classes;
      T = std::max(T, static_cast<int64_t>(clips[i]->frames()));
      scored.push_back(i);
    }
  if (query.empty() || scored.empty()) return out;
  for (int64_t q : query)
    if (q <= 0 || q >= C) throw Error("ctc_match: query phoneme id " + std::to_string(q) + " outside 1.." + std::to_string(C - 1));
  torch::NoGradGuard ng;
  const int64_t n = static_cast<int64_t>(scored.size()), L = static_cast<int64_t>(query.size());
  // Dense [T, n, C] log-probabilities: each frame's kept classes, the rest
  // sharing what is left; frames past a clip's end are never read.
  auto lp = torch::full({T, n, C}, -1e4f);
  auto acc = lp.accessor<float, 3>();
  std::vector<int64_t> frames(static_cast<size_t>(n)), target_len(static_cast<size_t>(n), L);
  for (int64_t j = 0; j < n; ++j) {
    const PhonePosteriors& p = *clips[scored[static_cast<size_t>(j)]];
    frames[static_cast<size_t>(j)] = static_cast<int64_t>(p.frames());
    for (size_t t = 0; t < p.frames(); ++t) {
      const float rest = p.rest_logp(t);
      for (int64_t c = 0; c < C; ++c) acc[static_cast<int64_t>(t)][j][c] = rest;
      for (int k = 0; k < p.top; ++k) {
        const size_t at = t * static_cast<size_t>(p.top) + static_cast<size_t>(k);
        acc[static_cast<int64_t>(t)][j][p.ids[at]] = p.logp[at];
      }
    }
  }
  auto targets = torch::tensor(query).unsqueeze(0).expand({n, L}).contiguous();
  auto nll = torch::ctc_loss(lp, targets, frames, target_len, /*blank=*/0, at::Reduction::None, /*zero_infinity=*/false)
                 .contiguous();
  const float* v = nll.data_ptr<float>();
  for (int64_t j = 0; j < n; ++j) {
    const size_t i = scored[static_cast<size_t>(j)];
    if (!std::isfinite(v[j])) {  // the query cannot be said in this clip's frames
      out[i] = 0;
      continue;
    }
    const double r = (-static_cast<double>(v[j]) - clips[i]->best_path_logp()) / static_cast<double>(L);
    out[i] = static_cast<float>(std::max(0.0, 1.0 + r / opt.span));
  }
  return out;
}

}  // namespace clasp
