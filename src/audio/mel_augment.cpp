#include "audio/mel_augment.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace clasp {

namespace {

constexpr double kFrameSeconds = 0.01;  // the mel cache's hop (160 samples at 16 kHz)
constexpr double kMelTopHz = 8000;      // audio/mel.h f_max

// Each band's power smeared forward in time by an exponential tail that
// falls 60 dB in rt60 seconds: what a room adds to a close recording.
void add_reverb_tail(std::vector<float>& mel, size_t F, double rt60) {
  const double decay = std::pow(10.0, -6.0 * kFrameSeconds / rt60);
  const size_t T = mel.size() / F;
  std::vector<double> tail(F, 0.0);
  for (size_t t = 0; t < T; ++t)
    for (size_t f = 0; f < F; ++f) {
      const double p = std::exp(static_cast<double>(mel[t * F + f]));
      tail[f] = tail[f] * decay + p * (1 - decay);
      mel[t * F + f] = static_cast<float>(std::log(p + tail[f]));
    }
}

// Bands above cut_hz drop to 90 dB below the clip's loudest value, as in
// audio resampled from 8 kHz (the encoder's mel floor then lifts them).
void limit_band(std::vector<float>& mel, size_t F, double cut_hz) {
  auto htk_mel = [](double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); };
  // Band f is centred at mel (f + 1) / (F + 1) of the top: the first centre above the cut.
  const auto first = static_cast<size_t>(
      std::max(0.0, std::ceil(static_cast<double>(F + 1) * htk_mel(cut_hz) / htk_mel(kMelTopHz)) - 1));
  if (first >= F) return;
  const float empty = *std::max_element(mel.begin(), mel.end()) - static_cast<float>(90.0 * std::log(10.0) / 10.0);
  for (size_t t = 0; t < mel.size() / F; ++t)
    for (size_t f = first; f < F; ++f) mel[t * F + f] = empty;
}

}  // namespace

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
  if (opt.reverb_prob > 0 && u01(rng) < opt.reverb_prob) add_reverb_tail(out, F, uniform(opt.rt60_min, opt.rt60_max));
  if (opt.band_prob > 0 && u01(rng) < opt.band_prob) limit_band(out, F, uniform(opt.band_hz_min, opt.band_hz_max));
  return out;
}

MelAugmentOptions channel_augment_options() {
  MelAugmentOptions o;
  o.reverb_prob = 0.3;
  o.band_prob = 0.4;
  return o;
}

}  // namespace clasp
