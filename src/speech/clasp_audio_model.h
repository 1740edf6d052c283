#pragma once
// The audio side of CLASP as one module: the frozen speech encoder
// (mean-pooled last layer), the spectrogram CNN, and the fusion encoder,
// ending in an L2-normalised vector in the text encoder's space. A model
// directory holds clasp.json (which branches, fusion kind, where the speech
// and text encoders are) and model.safetensors (CNN + fusion + logit scale).
#include <torch/torch.h>

#include <string>

#include "models/fusion.h"
#include "speech/speech_encoder.h"

namespace clasp {

struct ClaspModelConfig {
  std::string fusion = "concat";
  bool use_speech = true, use_spectrogram = true;
  int64_t spectrogram_channels = 24;
  int64_t out_dim = 256;
  std::string speech_encoder = "../speech-default";  // relative to the model directory
  std::string text_encoder = "../text-default";
  std::string model_id = "clasp";                     // recorded by indexes built with it

  static ClaspModelConfig from_json_file(const std::string& path);
  std::string to_json() const;
};

struct ClaspAudioModelImpl : torch::nn::Module {
  ClaspAudioModelImpl(const ClaspModelConfig& c, SpeechEncoder speech);
  // Frozen branch: mean-pooled speech encoder output [B, H] (no gradient).
  torch::Tensor speech_features(const torch::Tensor& mel, const torch::Tensor& lengths);
  // Trainable part: fused, normalised embedding [B, out_dim].
  torch::Tensor embed(const torch::Tensor& speech_feat, const torch::Tensor& mel, const torch::Tensor& lengths);
  // Per-utterance normalised log-mel, as the CNN sees it.
  static torch::Tensor normalise_mel(const torch::Tensor& mel, const torch::Tensor& lengths);

  ClaspModelConfig cfg;
  SpeechEncoder speech{nullptr};  // not registered: frozen and saved separately
  SpectrogramCnn cnn{nullptr};
  Fusion fusion{nullptr};
  torch::Tensor logit_scale;
};
TORCH_MODULE(ClaspAudioModel);

// Trainable weights only (the speech encoder has its own directory).
void save_clasp_model(ClaspAudioModel& m, const std::string& dir);
// Loads clasp.json, the speech encoder it names, and the weights. With
// load_weights false the trainable part keeps its seeded initialisation: the
// model "before CLASP training" (for the report's embedding projection).
ClaspAudioModel load_clasp_model(const std::string& dir, bool load_weights = true);
// Absolute path of the text encoder a model directory names.
std::string clasp_text_encoder_dir(const std::string& dir);

}  // namespace clasp
