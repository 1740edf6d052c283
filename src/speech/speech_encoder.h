#pragma once
// The project's own compact speech encoder (because no pre-trained HuBERT or
// wav2vec2 weights can be downloaded here): per-utterance normalised log-mel
// -> 4 stacked frames through two Linear+GELU (25 frames/s) -> sinusoidal
// positions ->
// pre-norm transformer layers -> LayerNorm. A linear
// CTC head over phoneme symbols is used for pre-training only. Downstream it
// is frozen and its last layer mean-pooled, as the paper does with HuBERT.
#include <torch/torch.h>

#include "speech/phone_posteriors.h"

#include <string>
#include <vector>

namespace clasp {

struct SpeechEncoderConfig {
  int64_t n_mels = 80;
  int64_t hidden = 192;
  int64_t layers = 4;
  int64_t heads = 4;
  int64_t ff = 768;
  int64_t ctc_classes = 0;  // phoneme symbols + blank; 0 = no head
  double dropout = 0.1;
  std::vector<std::string> phonemes;  // CTC symbols, id = index + 1
  // Log-mel values more than this many dB below the utterance's loudest are
  // raised to that level before the per-band normalisation (0 = off). Without
  // it an empty band (4-8 kHz of telephone or upsampled audio) is inaudible
  // noise that the normalisation stretches to unit variance. Config
  // "mel_floor_db"; CLASP_MEL_FLOOR_DB overrides it (for experiments).
  double mel_floor_db = 0;

  static SpeechEncoderConfig from_json_file(const std::string& path);
  std::string to_json() const;
};

struct SpeechLayerImpl : torch::nn::Module {
  SpeechLayerImpl(int64_t hidden, int64_t heads, int64_t ff, double dropout);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& pad_mask);
  int64_t heads;
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  torch::nn::Linear qkv{nullptr}, out{nullptr}, ff1{nullptr}, ff2{nullptr};
  torch::nn::Dropout drop{nullptr};
};
TORCH_MODULE(SpeechLayer);

struct SpeechOutput {
  torch::Tensor hidden;   // [B, T', H] last layer (normalised)
  torch::Tensor lengths;  // [B] valid frames of hidden
  torch::Tensor mask;     // [B, T'] 1 = valid
};

struct SpeechEncoderImpl : torch::nn::Module {
  explicit SpeechEncoderImpl(const SpeechEncoderConfig& c);
  // mel [B, T, n_mels] (raw log-mel, padded), lengths [B] frames.
  // spec_augment: time and frequency masking while training.
  SpeechOutput forward(torch::Tensor mel, const torch::Tensor& lengths, bool spec_augment = false);
  // CTC log-probabilities [T', B, classes].
  torch::Tensor ctc_log_probs(const SpeechOutput& o);
  // One clip's log-mel [T, n_mels] -> front-end features [T', hidden].
  torch::Tensor front_end(torch::Tensor mel, bool spec_augment);
  // Mean of the last hidden state over valid frames [B, H].
  static torch::Tensor mean_pool(const SpeechOutput& o);
  static torch::Tensor output_lengths(const torch::Tensor& frames);

  SpeechEncoderConfig cfg;
  uint64_t weights_hash = 0;  // fnv1a64 of model.safetensors as loaded (0: not loaded from a file)
  torch::nn::Linear proj1{nullptr}, proj2{nullptr};
  torch::nn::ModuleList layers{nullptr};
  torch::nn::LayerNorm final_norm{nullptr};
  torch::nn::Linear ctc_head{nullptr};
};
TORCH_MODULE(SpeechEncoder);

// Model directory: config.json (model_type "clasp-speech") + model.safetensors.
void save_speech_encoder(SpeechEncoder& m, const std::string& dir);
SpeechEncoder load_speech_encoder(const std::string& dir);

// Pads clips of [frames x n_mels] floats into [B, T, n_mels] and lengths [B].
std::pair<torch::Tensor, torch::Tensor> pad_mels(const std::vector<std::vector<float>>& mels, int64_t n_mels);

// Best path of one utterance's CTC log-probabilities [T', classes] (first
// `len` frames): repeats merged, blanks dropped -> phoneme ids.
std::vector<int64_t> greedy_decode(const torch::Tensor& log_probs_tc, int64_t len);

// The same log-probabilities kept as an index stores them: the `top`
// likeliest classes of each of the first `len` frames.
PhonePosteriors keep_top_posteriors(const torch::Tensor& log_probs_tc, int64_t len, int top);

}  // namespace clasp
