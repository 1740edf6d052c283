#pragma once
// Audio -> CLASP vector, for anything that is not a cached training clip:
// indexing user recordings, audio queries, the speed benchmark. Takes 16 kHz
// mono samples, computes the log-mel, runs the frozen speech encoder, the
// spectrogram CNN and the fusion encoder. No torch types in this header.
#include <memory>
#include <string>
#include <vector>

#include "speech/phone_posteriors.h"

namespace clasp {

struct ClaspAudioModelImpl;

struct AudioModelIdentity {
  std::string id;       // clasp.json "model_id"
  std::string version;  // hash of the weights (CLASP + speech encoder), 16 hex digits
  std::string text_encoder_dir;
  int dim = 0;
};

class AudioEmbedder {
 public:
  // trained = false: the model's trainable part at its seeded initialisation
  // (what the audio side gives before CLASP training).
  explicit AudioEmbedder(const std::string& model_dir, bool trained = true);
  ~AudioEmbedder();
  AudioEmbedder(const AudioEmbedder&) = delete;
  AudioEmbedder& operator=(const AudioEmbedder&) = delete;
  // The same model before CLASP training, as AudioEmbedder(dir, false) gives,
  // made from this loaded one: same config and speech encoder (shared),
  // nothing read from disk again. Its identity's version is "untrained".
  std::unique_ptr<AudioEmbedder> untrained() const;

  const AudioModelIdentity& identity() const { return ident_; }
  int dim() const { return ident_.dim; }
  // One L2-normalised vector per segment (16 kHz mono), row-major
  // [segments.size() x dim()]. Segments shorter than 0.1 s are an error.
  // With `phonemes`, also each segment's greedy CTC phoneme transcript (the
  // speech encoder's symbols, one code point each; "" if it has no CTC head),
  // and with `posteriors` as well its CTC posteriors, kPosteriorTop classes a frame
  // (empty if it has no CTC head).
  // With `languages`, each segment's probabilities over heard_languages()
  // (empty rows when the model has no language head).
  std::vector<float> embed(const std::vector<std::vector<float>>& segments, size_t batch = 8,
                           std::vector<std::string>* phonemes = nullptr,
                           std::vector<PhonePosteriors>* posteriors = nullptr,
                           std::vector<std::vector<float>>* languages = nullptr);
  // The languages the model's language head tells apart (its phonetic
  // part's); empty when it has none.
  const std::vector<std::string>& heard_languages() const;
  // The speech encoder's CTC phoneme symbols (empty = no phoneme head).
  const std::vector<std::string>& phoneme_symbols() const;
  // The loaded model, for the query side to share (QueryEmbedder).
  std::shared_ptr<ClaspAudioModelImpl> model() const;

 private:
  AudioEmbedder() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  AudioModelIdentity ident_;
};

// Threads for torch's intra-op parallelism (0 = leave the default).
void set_compute_threads(int n);
// What set_compute_threads was last given; before any call, the threads
// libtorch computes on in the calling thread.
int compute_threads();

// Where the shipped default CLASP model lives, relative to the project root.
std::string default_clasp_model_dir();

}  // namespace clasp
