#pragma once
// Outputs of the frozen branches for every clip, computed once and kept in
// <work_dir>/frozen-features.safetensors: the mean-pooled speech encoder
// vector of the audio and the text encoder's embedding of the transcript.
// The file records which encoders and clips it was made from and is rebuilt
// when they change.
#include <torch/torch.h>

#include <string>
#include <vector>

#include "data/manifest.h"

namespace clasp {

class MelCache;
class SentenceEncoder;
struct ClaspAudioModelImpl;

struct FrozenFeatures {
  torch::Tensor speech;  // [N, H], or [N, 0] without a speech branch
  torch::Tensor text;    // [N, D]
};

// Mean-pooled speech vectors for clips, in batches of similar length.
torch::Tensor speech_features_of(const std::vector<const Utterance*>& clips, const MelCache& cache,
                                 ClaspAudioModelImpl& model, const std::string& label);

FrozenFeatures frozen_features(const std::vector<const Utterance*>& clips, const MelCache& cache,
                               ClaspAudioModelImpl& model, SentenceEncoder& text, const std::string& work_dir,
                               const std::string& speech_dir, const std::string& text_dir);

}  // namespace clasp
