#pragma once
// Random views of a clip's log-mel for training, so the model meets more
// voices than the synthesisers gave it: tempo (speaking rate), vocal tract
// length (formants move up or down the mel axis) and additive background
// noise. Per-band offsets (loudness, channel colour) are left out: every
// branch normalises each band over time, which removes them anyway.
#include <cstdint>
#include <random>
#include <vector>

namespace clasp {

struct MelAugmentOptions {
  double tempo_min = 0.85, tempo_max = 1.2;   // >1 = faster speech, fewer frames
  double warp_min = 0.88, warp_max = 1.12;    // mel-axis stretch factor
  double noise_prob = 0.5;                    // chance of adding noise
  double noise_min = 0.02, noise_max = 0.3;   // noise power / mean clip power
  // Channel views, off by default so views made before them stay the same.
  double reverb_prob = 0;                     // chance of a room's reverberation tail
  double rt60_min = 0.15, rt60_max = 0.7;     // seconds for the tail to fall 60 dB
  double band_prob = 0;                       // chance of a telephone band limit
  double band_hz_min = 3300, band_hz_max = 4000;  // bands above the cut are left empty
};

// The channel views a training run asks for with --channel-augment.
MelAugmentOptions channel_augment_options();

// mel: frames x n_mels, frame-major (natural-log power, as in the mel
// cache). Returns a new frames' x n_mels array (frames' >= 1).
std::vector<float> augment_mel(const std::vector<float>& mel, int n_mels, std::mt19937_64& rng,
                               const MelAugmentOptions& opt = {});

}  // namespace clasp
