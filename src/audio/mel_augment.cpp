#include "audio/mel_augment.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace clasp {

std::vector<float> augment_mel(const std::vector<float>& mel, int n_mels, std::mt19937_64& rng,
                               const MelAugmentOptions& opt) {
  if (n_mels <= 0 || mel.size() % static_cast<size_t>(n_mels) != 0)
    throw std::invalid_argument("augment_mel: size is not a multiple of n_mels");
  const auto F = static_cast<size_t>(n_mels);
  const size_t T = mel.size() / F;
  if (T == 0) return mel;
  std::uniform_real_distribution<double> u01(0, 1);
  auto uniform = [&](double a, double b) { return a + (b - a) * u01(rng); };
  const double tempo = uniform(opt.tempo_min, opt.tempo_max), warp = uniform(opt.warp_min, opt.warp_max);
  const bool noisy = u01(rng) < opt.noise_prob;
  const double noise_rel = uniform(opt.noise_min, opt.noise_max);

  // Linear interpolation at fractional positions, clamped to the edges.
  auto lerp_at = [](double pos, size_t n, auto&& value) {
    pos = std::clamp(pos, 0.0, static_cast<double>(n - 1));
    const auto lo = static_cast<size_t>(pos);
    const size_t hi = std::min(lo + 1, n - 1);
    const double w = pos - static_cast<double>(lo);
    return (1 - w) * value(lo) + w * value(hi);
  };
  const size_t T2 = std::max<size_t>(1, static_cast<size_t>(std::lround(static_cast<double>(T) / tempo)));
  std::vector<float> out(T2 * F);
  for (size_t t = 0; t < T2; ++t) {
    const double src_t = static_cast<double>(t) * tempo;
    for (size_t f = 0; f < F; ++f) {
      const double src_f = static_cast<double>(f) * warp;
      out[t * F + f] = static_cast<float>(lerp_at(src_t, T, [&](size_t tt) {
        return lerp_at(src_f, F, [&](size_t ff) { return static_cast<double>(mel[tt * F + ff]); });
      }));
    }
  }
  if (noisy) {
    double mean_power = 0;
    for (float v : out) mean_power += std::exp(static_cast<double>(v));
    mean_power /= static_cast<double>(out.size());
    std::normal_distribution<double> jitter(0, 0.3);  // noise is not flat across frames and bands
    for (float& v : out) {
      const double noise = noise_rel * mean_power * std::exp(jitter(rng));
      v = static_cast<float>(std::log(std::exp(static_cast<double>(v)) + noise));
    }
  }
  return out;
}

}  // namespace clasp
