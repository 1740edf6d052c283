#include "speech/phone_sequences.h"

#include <algorithm>

namespace clasp {

std::pair<torch::Tensor, torch::Tensor> pad_phones(const std::vector<std::vector<int64_t>>& rows) {
  const auto B = static_cast<int64_t>(rows.size());
  int64_t longest = 1;
  for (const auto& r : rows) longest = std::max<int64_t>(longest, static_cast<int64_t>(r.size()));
  auto tok = torch::zeros({B, longest}, torch::kLong);
  auto len = torch::ones({B}, torch::kLong);
  auto* t = tok.data_ptr<int64_t>();
  auto* l = len.data_ptr<int64_t>();
  for (int64_t b = 0; b < B; ++b) {
    const auto& r = rows[static_cast<size_t>(b)];
    std::copy(r.begin(), r.end(), t + b * longest);
    if (!r.empty()) l[b] = static_cast<int64_t>(r.size());
  }
  return {tok, len};
}

std::vector<std::vector<int64_t>> unpad_phones(const torch::Tensor& tokens, const torch::Tensor& lengths) {
  auto tok = tokens.to(torch::kLong).contiguous();
  auto len = lengths.to(torch::kLong).contiguous();
  std::vector<std::vector<int64_t>> rows(static_cast<size_t>(tok.size(0)));
  const auto* t = tok.data_ptr<int64_t>();
  const auto* l = len.data_ptr<int64_t>();
  for (int64_t b = 0; b < tok.size(0); ++b) {
    const int64_t n = std::clamp<int64_t>(l[b], 0, tok.size(1));
    rows[static_cast<size_t>(b)].assign(t + b * tok.size(1), t + b * tok.size(1) + n);
  }
  return rows;
}

}  // namespace clasp
