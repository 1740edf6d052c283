#pragma once
// Random views of cached encoder frames, for training the frame branch
// without re-running the frozen encoder: a speaking-rate change (frames
// resampled at 0.85-1.2x) and a few short time masks. Unseen voices give
// the frame branch faster or slower, noisier frame sequences than the
// training voices; these views make it less tied to the exact ones it saw.
#include <torch/torch.h>

#include <cstdint>
#include <utility>

namespace clasp {

struct FrameAugmentOptions {
  double rate_min = 0.85, rate_max = 1.2;  // >1 = faster speech, fewer frames
  int masks = 2;                           // time masks per clip
  double mask_fraction = 0.08;             // each at most this share of the clip
};

// frames: [B, T, D] padded, lengths: [B] (long). Returns new padded frames
// and lengths (each >= 1); the same seed gives the same views.
std::pair<torch::Tensor, torch::Tensor> augment_frames(const torch::Tensor& frames, const torch::Tensor& lengths,
                                                       uint64_t seed, const FrameAugmentOptions& opt = {});

// Dropout on cached hidden states, before the frozen CTC head turns them
// into posteriors: an unseen voice leaves the encoder less sure of each
// frame, and this trains the frame branch on hidden states (and so
// posteriors) with part of the evidence missing. Each feature is zeroed
// with chance p and the rest scaled by 1/(1-p); the same seed gives the
// same mask. Padding stays zero.
torch::Tensor drop_frame_features(const torch::Tensor& frames, double p, uint64_t seed);

}  // namespace clasp
