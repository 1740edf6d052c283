#pragma once
// The audio side of CLASP as one module: the frozen speech encoder
// (mean-pooled last layer), the spectrogram CNN, optionally the frame branch
// over the encoder's frames (beyond the paper), and the fusion encoder,
// ending in an L2-normalised vector in the text encoder's space. A model
// directory holds clasp.json (which branches, fusion kind, where the speech
// and text encoders are) and model.safetensors (CNN + fusion + logit scale).
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "models/frame_branch.h"
#include "models/fusion.h"
#include "speech/speech_encoder.h"

namespace clasp {

struct ClaspModelConfig {
  std::string fusion = "concat";
  bool use_speech = true, use_spectrogram = true;
  bool use_frames = false;  // frame branch (models/frame_branch.h)
  int64_t spectrogram_channels = 24;
  int64_t frame_width = 160;
  // What the frame branch reads: "hidden+posteriors"; "posteriors" (the CTC
  // head's output only); or "phones": the greedy CTC phoneme sequence
  // (repeats merged, blanks dropped), each phoneme a learned vector of
  // phone_dim. Phones keep what was said and drop how the voice said it.
  std::string frame_inputs = "hidden+posteriors";
  int64_t phone_dim = 64;
  // "utterance": the hidden states are normalised per clip over time before
  // the frame branch (mean and variance per dimension), which removes what is
  // constant through a clip (largely the voice); "none" leaves them as they are.
  std::string frame_norm = "none";
  int64_t out_dim = 256;
  std::string speech_encoder = "../speech-default";  // relative to the model directory
  std::string text_encoder = "../text-default";
  std::string model_id = "clasp";                     // recorded by indexes built with it
  // Member models (directories relative to this one) on the same speech and
  // text encoders: a clip's vector is the normalised sum of this model's and
  // every member's vector. One encoder pass serves them all.
  std::vector<std::string> ensemble;
  // What the model's vectors are trained to match. "text": the frozen text
  // encoder's embedding of the transcript (the paper's CLASP). "phonemes":
  // the model's own phoneme-text tower over the transcript's espeak-ng
  // phonemes, trained with it (a phone-branch model only); its space is the
  // sounds of the sentence, so it holds within a language, not across.
  std::string target = "text";
  // A "phonemes" model (directory relative to this one, same speech
  // encoder) whose vector is appended to this model's: a clip's vector is
  // [sqrt(1 - w) * semantic; sqrt(w) * phonetic] with w = phonetic_weight, and a
  // query's the same from the text encoder and the phonetic model's text
  // tower, so the cosine is (1 - w) * semantic + w * phonetic.
  std::string phonetic;
  double phonetic_weight = 0.5;
  // A "phonemes" model with languages also says which of them a clip is
  // in (a head on its phone branch), and its vector, as a phonetic part, is
  // the outer product of the phonetic vector and those probabilities
  // (scaled to unit length); a query's is its phonetic vector in its
  // language's slot. Their dot product is then phonetic similarity x how
  // surely the clip is in the query's language: sounds count only within a
  // language, so a query in one language is not scored by how it sounds in
  // another.
  std::vector<std::string> languages;

  static ClaspModelConfig from_json_file(const std::string& path);
  // Throws an Error naming `where` and the field when a setting is invalid.
  void check(const std::string& where) const;
  std::string to_json() const;
};

// What the frozen speech encoder gives the trainable part; a tensor is
// undefined when no branch needs it.
struct SpeechFeatures {
  torch::Tensor pooled;         // [B, H] mean of the last layer over valid frames
  torch::Tensor frames;         // [B, T', H] the last layer, padded
  torch::Tensor frame_lengths;  // [B]
  // With frame_inputs "phones": the phoneme ids [B, L] (0-padded) and
  // lengths [B]. Left undefined, embed() decodes them from `frames`; the
  // trainer sets them to give the branch corrupted sequences.
  torch::Tensor phones, phone_lengths;
};

struct ClaspAudioModelImpl : torch::nn::Module {
  ClaspAudioModelImpl(const ClaspModelConfig& c, SpeechEncoder speech);
  // The frozen encoder's outputs (no gradient), one pass for both uses;
  // spec_augment masks bands and spans of the input (training views).
  SpeechFeatures speech_features(const torch::Tensor& mel, const torch::Tensor& lengths, bool spec_augment = false);
  // What the branches take from one encoder pass (frames only with a frame branch).
  SpeechFeatures features_of(const SpeechOutput& o) const;
  // Trainable part: fused, normalised embedding [B, out_dim] (with a
  // phonetic part, [B, embedding_dim()]). A "phonemes" model with languages
  // also sets *lang_logits [B, languages] when asked; so does a model whose
  // phonetic part has them (its languages: phonetic->cfg.languages).
  torch::Tensor embed(const SpeechFeatures& speech_feat, const torch::Tensor& mel, const torch::Tensor& lengths,
                      torch::Tensor* lang_logits = nullptr);
  // The frame branch's input from hidden states [B, T', H]: their CTC
  // phoneme posteriors, beside the hidden states unless cfg.frame_inputs is
  // "posteriors".
  torch::Tensor frame_inputs(const torch::Tensor& hidden, const torch::Tensor& lengths);
  int64_t frame_input_dim() const;
  // Greedy CTC phonemes of hidden states [B, T', H] (valid frames only):
  // ids [B, L] padded with 0 and lengths [B]; a clip with none gets one
  // blank (0), so every row has at least one token.
  std::pair<torch::Tensor, torch::Tensor> phones_of(const torch::Tensor& hidden, const torch::Tensor& lengths);
  // The same phoneme sequences, one vector per clip (possibly empty); with
  // `posteriors`, each clip's CTC posteriors over its valid frames (the
  // `top` likeliest classes per frame) are appended to it too.
  std::vector<std::vector<int64_t>> phone_rows(const torch::Tensor& hidden, const torch::Tensor& lengths,
                                               std::vector<PhonePosteriors>* posteriors = nullptr,
                                               int top = kPosteriorTop);
  // x [B, T, D] normalised per clip and dimension over its valid frames
  // (padding zeroed): the log-mel as the CNN sees it, and frame_norm.
  static torch::Tensor normalise_over_time(const torch::Tensor& x, const torch::Tensor& lengths);

  // Whether this model or a member reads the encoder's frames.
  bool wants_frames() const;
  // Size of embed()'s vectors: out_dim, plus the phonetic part's.
  int64_t embedding_dim() const;
  // Size of this "phonemes" model's vectors as a phonetic part: out_dim,
  // times the number of languages if it has them.
  int64_t phonetic_part_dim() const;
  // A query's phonetic part: phonetic vectors [B, out_dim] in the slots
  // `slots` [B, languages] (one-hot; undefined without languages) say.
  static torch::Tensor phonetic_part(const torch::Tensor& vectors, const torch::Tensor& slots);
  // A clip's phonetic part (a "phonemes" model's), from embed()'s vectors
  // and language logits: slot l holds (vector - lang_means[l]) times the
  // probability of language l, the probabilities scaled to unit length, and
  // the whole part is scaled to unit length (an audio query scores 1
  // against itself).
  torch::Tensor audio_phonetic_part(const torch::Tensor& vectors, const torch::Tensor& lang_logits) const;
  // target "phonemes" only: the text tower, phoneme ids [B, L] (0-padded)
  // and lengths [B] -> normalised [B, out_dim].
  torch::Tensor embed_phoneme_text(const torch::Tensor& tokens, const torch::Tensor& lengths);

  ClaspModelConfig cfg;
  SpeechEncoder speech{nullptr};  // not registered: frozen and saved separately
  std::vector<std::shared_ptr<ClaspAudioModelImpl>> members;  // cfg.ensemble, loaded by load_clasp_model
  std::shared_ptr<ClaspAudioModelImpl> phonetic;              // cfg.phonetic, loaded by load_clasp_model
  SpectrogramCnn cnn{nullptr};
  FrameBranch frame_branch{nullptr};
  torch::nn::Embedding phone_embedding{nullptr};  // frame_inputs "phones"
  FrameBranch text_branch{nullptr};                // target "phonemes": the text tower, sharing phone_embedding
  torch::nn::Linear text_head{nullptr};
  torch::nn::Linear lang_head{nullptr};           // target "phonemes" with languages
  // target "phonemes" with languages: each language's mean audio-side
  // phonetic vector over training clips [languages, out_dim], stored when
  // training ends (zeros before). Clips are placed relative to their
  // language's mean, so unrelated clips of the query's language score about
  // 0 on the phonetic part instead of all being lifted above clips of other
  // languages.
  torch::Tensor lang_means;
  Fusion fusion{nullptr};
  torch::Tensor logit_scale;
  uint64_t weights_hash = 0;  // fnv1a64 of model.safetensors as loaded (0: not loaded from a file)
};
TORCH_MODULE(ClaspAudioModel);

// Trainable weights only (the speech encoder has its own directory).
void save_clasp_model(ClaspAudioModel& m, const std::string& dir);
// Loads clasp.json, the speech encoder it names, the weights and the
// ensemble's members (which must name the same speech and text encoders).
// With load_weights false the trainable part keeps its seeded
// initialisation and no member is loaded: the model "before CLASP
// training" (for the report's embedding projection).
ClaspAudioModel load_clasp_model(const std::string& dir, bool load_weights = true);
// Copies <dir>/model.safetensors into m's trainable weights (m built from a
// config of the same branches and sizes); a missing or mis-shaped tensor is
// an Error naming `where`.
void load_clasp_weights(ClaspAudioModel& m, const std::string& dir, const std::string& where);
// Makes phonetic_dir (a target "phonemes" model on m's speech encoder) m's
// phonetic part at `weight`, replacing any; `dir` is m's directory, for
// messages and the encoder check.
void attach_phonetic_model(ClaspAudioModel& m, const std::string& dir, const std::string& phonetic_dir, double weight);
// Every weight file a model directory's vectors depend on: its own, its
// speech encoder's (when a branch reads it), its ensemble members' and its
// phonetic part's.
std::vector<std::string> clasp_weight_files(const std::string& dir, const ClaspModelConfig& cfg);
// Absolute path of the text encoder a model directory names (reads its
// clasp.json; the second form uses a config already read).
std::string clasp_text_encoder_dir(const std::string& dir);
std::string clasp_text_encoder_dir(const std::string& dir, const ClaspModelConfig& cfg);

}  // namespace clasp
