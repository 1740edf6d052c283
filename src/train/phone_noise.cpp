#include "train/phone_noise.h"

#include <algorithm>
#include <random>
#include <vector>

#include "speech/phone_sequences.h"
#include "util/error.h"

namespace clasp {

std::pair<torch::Tensor, torch::Tensor> corrupt_phones(const torch::Tensor& tokens, const torch::Tensor& lengths,
                                                       double max_rate, int64_t n_classes, uint64_t seed) {
  if (max_rate < 0 || max_rate >= 1)
    throw Error("phone_noise: expected a rate in [0, 1), got " + std::to_string(max_rate));
  if (n_classes < 2) throw Error("phone_noise: the CTC head has no phoneme classes");
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<int64_t> phone(1, n_classes - 1);
  auto rows = unpad_phones(tokens, lengths);
  for (auto& src : rows) {
    const double rate = max_rate * unit(rng);
    std::vector<int64_t> out;
    for (int64_t id : src) {
      if (unit(rng) >= rate) {
        out.push_back(id);
        continue;
      }
      const double op = unit(rng);
      if (op < 1.0 / 3) out.push_back(phone(rng));  // substitution
      else if (op < 2.0 / 3) continue;              // deletion
      else {                                        // insertion after the token
        out.push_back(id);
        out.push_back(phone(rng));
      }
    }
    if (out.empty()) out.push_back(src.empty() ? 0 : src[0]);
    src = std::move(out);
  }
  return pad_phones(rows);
}

}  // namespace clasp
