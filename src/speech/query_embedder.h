#pragma once
// The text side of a CLASP model: query text -> a vector comparable with the
// model's audio vectors. For the paper's CLASP that is the frozen text
// encoder's embedding. A model with a phonetic part (clasp.json
// "phonetic") also turns the query into espeak-ng phonemes of its language
// and runs them through the phonetic model's phoneme-text tower; the two are
// weighted and concatenated as the audio side does: the phonetic vector in
// the slot of the query's language, where the audio side puts its vector
// times the probability that the clip is in that language. A
// "phonemes"-target model alone gives only its phonetic vector, as its audio
// side does (no language slots). No torch types in this header.
#include <memory>
#include <string>
#include <vector>

namespace clasp {

struct ClaspAudioModelImpl;
class SentenceEncoder;

class QueryEmbedder {
 public:
  // The text side of `model`, loaded from model_dir (load_clasp_model, with
  // any phonetic part attached): its text encoder, and the phoneme-text
  // tower of its phonetic part, shared with the audio side rather than
  // loaded again.
  QueryEmbedder(const std::string& model_dir, std::shared_ptr<ClaspAudioModelImpl> model);
  ~QueryEmbedder();
  QueryEmbedder(const QueryEmbedder&) = delete;
  QueryEmbedder& operator=(const QueryEmbedder&) = delete;

  int dim() const { return dim_; }
  // One row per text, row-major [texts.size() x dim()]. `lang` (ISO 639-1)
  // is the queries' language, which the phonetic part needs to pronounce
  // them; with "", or a language the phonetic model was not trained on, that
  // part is left at zero, so ranking falls back to the semantic part alone.
  // A text with no phoneme the speech encoder knows also gets a zero
  // phonetic part. A malformed language code is an Error.
  std::vector<float> embed(const std::vector<std::string>& texts, const std::string& lang);
  // The text encoder behind the semantic part, for a caller that needs its
  // plain sentence vectors too (clasp report); null for a target "phonemes"
  // model, which has none.
  SentenceEncoder* sentence_encoder() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int dim_ = 0;
};

}  // namespace clasp
