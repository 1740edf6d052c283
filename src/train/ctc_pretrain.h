#pragma once
// Pre-training of the project's speech encoder with CTC on the espeak-ng
// phoneme transcripts of the synthetic corpus (training split, training
// voices), and its phoneme error rate on held-out clips.
#include <cstdint>
#include <string>

namespace clasp {

struct CtcPretrainOptions {
  std::string manifest;            // synthesised corpus manifest (with phonemes)
  std::string cache_dir;           // mel cache (built on demand)
  std::string out_dir = "models/speech-default";
  std::string work_dir = "runs/speech-default";
  int64_t hidden = 192, layers = 4, heads = 4, ff = 768;
  int steps = 3000, batch = 32, warmup = 300, eval_every = 200;
  double lr = 1.5e-3, weight_decay = 0.01, max_seconds = 20;
  uint64_t seed = 1;
  int threads = 2;
  // Start from this encoder directory's weights (its architecture and
  // phoneme symbols; the corpus must give the same symbols) instead of a
  // random initialisation. Ignored when resuming from a checkpoint.
  std::string init;
  // Random views of each clip (audio/mel_augment.h) besides SpecAugment.
  bool augment = false;
  // With augment: the channel too (reverberation, telephone band), as
  // audio/mel_augment.h's channel_augment_options.
  bool channel_augment = false;
};

struct PerResult {
  double per = 0;  // edit distance / reference length over all clips
  size_t clips = 0;
};

void pretrain_speech_encoder(const CtcPretrainOptions& opt);

// PER of a saved encoder on the clips of `split` ("" = all) of a manifest.
PerResult evaluate_per(const std::string& model_dir, const std::string& manifest, const std::string& cache_dir,
                       const std::string& split, size_t max_clips = 0);

}  // namespace clasp
