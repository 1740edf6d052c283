#pragma once
// Contrastive training of CLASP's audio side against the frozen text
// encoder: symmetric InfoNCE with a learnable logit scale, AdamW, warm-up +
// cosine, early stopping on validation loss, resumable checkpoints, a
// metrics log and the frozen branches' features cached on disk.
#include <cstdint>
#include <string>
#include <vector>

namespace clasp {

struct ClaspTrainOptions {
  std::string manifest;                  // synthesised corpus
  std::string cache_dir;                 // mel cache ("" = <corpus>/mel-cache)
  std::string speech_encoder = "models/speech-default";
  std::string text_encoder = "models/text-default";
  std::string out_dir = "models/clasp-default";
  std::string work_dir = "runs/clasp-default";
  // A CLASP model directory of the same architecture whose weights the run
  // starts from (fine-tuning, e.g. on new speakers) instead of random ones;
  // a checkpoint in work_dir still wins when resuming.
  std::string init;
  std::string fusion = "concat";         // concat | gating
  bool use_speech = true, use_spectrogram = true;
  bool use_frames = false;               // frame branch over the speech encoder's frames
  int64_t spectrogram_channels = 24;
  int64_t frame_width = 160;
  std::string frame_inputs = "hidden+posteriors";  // or "posteriors"
  std::string frame_norm = "none";                 // or "utterance" (ClaspModelConfig)
  int64_t phone_dim = 64;                          // frame_inputs "phones": size of each phoneme's vector
  // frame_inputs "phones": recogniser-like errors (substitutions, deletions,
  // insertions) on the training clips' phoneme sequences, each clip at a
  // rate drawn from U(0, phone_noise) (train/phone_noise.h).
  double phone_noise = 0.0;
  // frame_inputs "phones": the encoder's decodings of `phone_views` random
  // views of each training clip (train/phone_views.h) are cached, and a
  // training clip reads one of them, instead of its clean decoding, with
  // chance phone_view_prob.
  int64_t phone_views = 0;
  double phone_view_prob = 0.5;
  // A sentences-with-phonemes manifest (`clasp data phonemize`) whose
  // train-split sentences join the training clips as text-only examples of
  // the phone branch: their espeak-ng phonemes stand in for a recogniser's
  // (train/text_phones.h). Phone branch only (no speech or spectrogram
  // branch); validation and test transcripts are left out.
  std::string text_phones;
  // Training batches are random views of the clips (audio/mel_augment.h +
  // SpecAugment) run through the frozen encoder each step, not its cached
  // features; validation stays on the clean cached ones.
  bool augment = false;
  // Training batches read random views of the cached frames instead
  // (train/frame_augment.h: speaking rate, time masks); cheap, no encoder run.
  bool frame_augment = false;
  // Dropout on the cached hidden states before the CTC head, training only
  // (train/frame_augment.h: drop_frame_features).
  double frame_dropout = 0.0;
  // Chance that a training clip's target is the text of the same sentence
  // in another language of the corpus (its translations share source_id),
  // so English audio also learns to sit near Spanish, Catalan... queries.
  double translation_targets = 0.0;
  // Each epoch takes the same number of training clips from every language
  // (as many as the smallest has), a fresh seeded draw per epoch, so extra
  // clips of one language (more voices) add variety without tilting the mix.
  bool balance_languages = false;
  std::vector<std::string> exclude_engines;  // voices of these engines never seen in training
  int steps = 2000, batch = 128, warmup = 100, eval_every = 100, patience = 6;
  double lr = 1e-3, weight_decay = 0.01;
  uint64_t seed = 1;
  int threads = 2;
  std::string model_id = "clasp-default";
  // Written into the saved clasp.json (ClaspModelConfig::ensemble): member
  // model directories, relative to out_dir, trained by their own configs.
  // Training and its validation use this model alone.
  std::vector<std::string> ensemble;
  // "text" (the paper's CLASP) or "phonemes": the phone branch alone trained
  // against its own phoneme-text tower over each clip's espeak-ng phonemes
  // (ClaspModelConfig::target), in a space of phonetic_dim.
  std::string target = "text";
  int64_t phonetic_dim = 256;
  // Written into the saved clasp.json (ClaspModelConfig::phonetic): a
  // "phonemes" model, relative to out_dir, whose vector is appended.
  std::string phonetic;
  double phonetic_weight = 0.5;

  // Reads the keys of a JSON config (same names as the fields); errors name
  // the file and key. Paths in it are relative to the project root.
  static ClaspTrainOptions from_json_file(const std::string& path);
};

void train_clasp(const ClaspTrainOptions& opt);

}  // namespace clasp
