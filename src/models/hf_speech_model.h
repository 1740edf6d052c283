#pragma once
// HuBERT and wav2vec2 (Hugging Face layouts) in libtorch, for inference as
// CLASP's frozen speech branch: conv feature encoder (group-norm or
// layer-norm variant), feature projection, weight-normed positional
// convolution, post-norm or stable-layer-norm transformer. Loads a
// directory with config.json + model.safetensors or pytorch_model.bin (keys
// with or without the "hubert." / "wav2vec2." prefix of *ForCTC /
// *ForPreTraining checkpoints; a *ForCTC checkpoint's lm_head is kept as the
// CTC head, quantisers and other heads are ignored) and
// preprocessor_config.json if present (do_normalize). No torch types in this
// header.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace clasp {

struct HfSpeechConfig {
  std::string model_type = "hubert";  // hubert | wav2vec2
  std::string feat_extract_norm = "group";  // group | layer
  std::vector<int64_t> conv_dim{512, 512, 512, 512, 512, 512, 512};
  std::vector<int64_t> conv_stride{5, 2, 2, 2, 2, 2, 2};
  std::vector<int64_t> conv_kernel{10, 3, 3, 3, 3, 2, 2};
  bool conv_bias = false;
  int64_t hidden_size = 768, num_hidden_layers = 12, num_attention_heads = 12, intermediate_size = 3072;
  int64_t num_conv_pos_embeddings = 128, num_conv_pos_embedding_groups = 16;
  double layer_norm_eps = 1e-5;
  bool do_stable_layer_norm = false;
  bool feat_proj_layer_norm = true;  // HuBERT only; wav2vec2 always has it
  std::string hidden_act = "gelu", feat_extract_activation = "gelu";
  bool do_normalize = false;  // preprocessor: zero-mean unit-variance input
  int64_t vocab_size = 32;     // the CTC head's outputs (*ForCTC checkpoints)

  // Reads config.json (+ preprocessor_config.json beside it); errors name the file and field.
  static HfSpeechConfig from_dir(const std::string& dir);
  // Samples in -> frames out.
  int64_t frames_for(int64_t samples) const;
};

class HfSpeechModel {
 public:
  static std::unique_ptr<HfSpeechModel> load(const std::string& dir);
  // Seeded random weights of the right shapes (speed benchmarks).
  static std::unique_ptr<HfSpeechModel> random(const HfSpeechConfig& cfg, uint64_t seed = 1);
  ~HfSpeechModel();

  const HfSpeechConfig& config() const { return cfg_; }
  int64_t hidden_size() const { return cfg_.hidden_size; }
  size_t parameter_count() const;
  // The feature extractor's input processing (do_normalize), as transformers' Wav2Vec2FeatureExtractor.
  std::vector<float> preprocess(const std::vector<float>& samples) const;
  // The model's last_hidden_state for already-processed input values, row-major [frames x hidden].
  std::vector<float> last_hidden_state(const std::vector<float>& input_values, int64_t* frames = nullptr) const;
  // Mean over frames of the last layer of preprocess(samples) (CLASP's speech-branch feature).
  std::vector<float> mean_pooled(const std::vector<float>& samples) const;

  // The CTC head (lm_head of a *ForCTC checkpoint; random() makes one too).
  bool has_ctc_head() const;
  // Logits for already-processed input values, row-major [frames x vocab_size], as *ForCTC's `logits`.
  std::vector<float> ctc_logits(const std::vector<float>& input_values, int64_t* frames = nullptr) const;

  struct Weights;  // opaque: the tensors by name

 private:
  HfSpeechModel(HfSpeechConfig cfg, std::unique_ptr<Weights> w);
  HfSpeechConfig cfg_;
  std::unique_ptr<Weights> w_;
};

// True if dir/config.json names a HuBERT or wav2vec2 model.
bool is_hf_speech_dir(const std::string& dir);

}  // namespace clasp
