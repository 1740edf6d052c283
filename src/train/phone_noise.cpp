#include "train/phone_noise.h"

#include <algorithm>
#include <random>
#include <vector>

#include "util/error.h"

namespace clasp {

std::pair<torch::Tensor, torch::Tensor> corrupt_phones(const torch::Tensor& tokens, const torch::Tensor& lengths,
                                                       double max_rate, int64_t n_classes, uint64_t seed) {
  if (max_rate < 0 || max_rate >= 1)
    throw Error("phone_noise: expected a rate in [0, 1), got " + std::to_string(max_rate));
  if (n_classes < 2) throw Error("phone_noise: the CTC head has no phoneme classes");
  auto tok = tokens.to(torch::kLong).contiguous();
  auto len = lengths.to(torch::kLong).contiguous();
  const int64_t B = tok.size(0), L = tok.size(1);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<int64_t> phone(1, n_classes - 1);
  std::vector<std::vector<int64_t>> rows(static_cast<size_t>(B));
  int64_t longest = 1;
  for (int64_t b = 0; b < B; ++b) {
    const double rate = max_rate * unit(rng);
    const int64_t n = std::min(L, len[b].item<int64_t>());
    const auto* src = tok[b].data_ptr<int64_t>();
    auto& out = rows[static_cast<size_t>(b)];
    for (int64_t i = 0; i < n; ++i) {
      if (unit(rng) >= rate) {
        out.push_back(src[i]);
        continue;
      }
      const double op = unit(rng);
      if (op < 1.0 / 3) out.push_back(phone(rng));  // substitution
      else if (op < 2.0 / 3) continue;              // deletion
      else {                                        // insertion after the token
        out.push_back(src[i]);
        out.push_back(phone(rng));
      }
    }
    if (out.empty()) out.push_back(n > 0 ? src[0] : 0);
    longest = std::max<int64_t>(longest, static_cast<int64_t>(out.size()));
  }
  auto new_tok = torch::zeros({B, longest}, torch::kLong);
  auto new_len = torch::zeros({B}, torch::kLong);
  for (int64_t b = 0; b < B; ++b) {
    const auto& r = rows[static_cast<size_t>(b)];
    std::copy(r.begin(), r.end(), new_tok[b].data_ptr<int64_t>());
    new_len[b] = static_cast<int64_t>(r.size());
  }
  return {new_tok, new_len};
}

}  // namespace clasp
