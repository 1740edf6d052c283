#pragma once
// Outputs of the frozen branches for every clip, computed once and kept in
// <work_dir>/frozen-features.safetensors: the mean-pooled speech encoder
// vector of the audio, its frames when the frame branch is on, and the text
// encoder's embedding of the transcript. The file records which encoders
// and clips it was made from and is rebuilt when they change.
#include <torch/torch.h>

#include <string>
#include <vector>

#include "data/manifest.h"

namespace clasp {

class MelCache;
class SentenceEncoder;
struct ClaspAudioModelImpl;

struct FrozenFeatures {
  torch::Tensor speech;         // [N, H], or [N, 0] without a speech branch
  torch::Tensor frames;         // [sum of frames, H] float16, clip i at rows offsets[i]..offsets[i+1]; undefined without a frame branch
  torch::Tensor frame_offsets;  // [N + 1] int64
  torch::Tensor text;           // [N, D]

  // Clips idx as a padded float batch [B, T', H] and their lengths [B].
  std::pair<torch::Tensor, torch::Tensor> frame_batch(const std::vector<size_t>& idx) const;
};

// The frozen speech encoder's outputs for clips (pooled, and frames when the
// model has a frame branch), in batches of similar length.
FrozenFeatures speech_features_of(const std::vector<const Utterance*>& clips, const MelCache& cache,
                                  ClaspAudioModelImpl& model, const std::string& label);

FrozenFeatures frozen_features(const std::vector<const Utterance*>& clips, const MelCache& cache,
                               ClaspAudioModelImpl& model, SentenceEncoder& text, const std::string& work_dir,
                               const std::string& speech_dir, const std::string& text_dir);

}  // namespace clasp
