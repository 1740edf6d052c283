#include "train/frame_augment.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

namespace clasp {

std::pair<torch::Tensor, torch::Tensor> augment_frames(const torch::Tensor& frames, const torch::Tensor& lengths,
                                                       uint64_t seed, const FrameAugmentOptions& opt) {
  const int64_t B = frames.size(0);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> rate(opt.rate_min, opt.rate_max), unit(0.0, 1.0);
  auto len = lengths.to(torch::kLong).contiguous();
  const auto* lp = len.data_ptr<int64_t>();
  // Per clip: which source frame each output frame reads (nearest
  // neighbour, so posteriors stay posteriors) and which are masked.
  std::vector<std::vector<int64_t>> src(static_cast<size_t>(B));
  std::vector<std::vector<float>> keep(static_cast<size_t>(B));
  int64_t tmax = 1;
  for (int64_t b = 0; b < B; ++b) {
    const int64_t L = std::max<int64_t>(lp[b], 1);
    const double r = rate(rng);
    const int64_t out = std::max<int64_t>(1, std::llround(static_cast<double>(L) / r));
    auto& s = src[static_cast<size_t>(b)];
    for (int64_t j = 0; j < out; ++j)
      s.push_back(std::min<int64_t>(L - 1, static_cast<int64_t>(std::floor(static_cast<double>(j) * r))));
    auto& k = keep[static_cast<size_t>(b)];
    k.assign(static_cast<size_t>(out), 1.0f);
    const auto widest = static_cast<int64_t>(opt.mask_fraction * static_cast<double>(out));
    for (int m = 0; m < opt.masks && widest > 0; ++m) {
      const auto w = static_cast<int64_t>(unit(rng) * static_cast<double>(widest + 1));
      const auto at = static_cast<int64_t>(unit(rng) * static_cast<double>(out - w + 1));
      for (int64_t t = at; t < std::min(out, at + w); ++t) k[static_cast<size_t>(t)] = 0.0f;
    }
    tmax = std::max(tmax, out);
  }
  // Padding positions read frame 0 and are masked to zero.
  std::vector<int64_t> index(static_cast<size_t>(B * tmax), 0);
  std::vector<float> mask(static_cast<size_t>(B * tmax), 0.0f);
  std::vector<int64_t> out_len(static_cast<size_t>(B));
  for (int64_t b = 0; b < B; ++b) {
    const auto& s = src[static_cast<size_t>(b)];
    out_len[static_cast<size_t>(b)] = static_cast<int64_t>(s.size());
    std::copy(s.begin(), s.end(), index.begin() + b * tmax);
    std::copy(keep[static_cast<size_t>(b)].begin(), keep[static_cast<size_t>(b)].end(), mask.begin() + b * tmax);
  }
  auto idx = torch::tensor(index).view({B, tmax, 1}).expand({B, tmax, frames.size(2)});
  auto m = torch::tensor(mask).view({B, tmax, 1}).to(frames.dtype());
  return {frames.gather(1, idx) * m, torch::tensor(out_len)};
}

torch::Tensor drop_frame_features(const torch::Tensor& frames, double p, uint64_t seed) {
  if (p <= 0) return frames;
  if (p >= 1) throw std::invalid_argument("frame dropout: expected a probability below 1");
  auto gen = at::detail::createCPUGenerator(seed);
  auto keep = torch::rand(frames.sizes(), gen, frames.options().dtype(torch::kFloat)).ge(p);
  return frames * keep.to(frames.dtype()) / (1.0 - p);
}

}  // namespace clasp
