#pragma once
// `clasp eval`: the paper's protocol on the test split of a synthesised
// corpus. For each language: text->audio and audio->text, hard (every test
// clip of that language competes) and soft (gold + 99 seeded random
// candidates), broken down by category and voice engine; cross-lingual:
// the translations of the English test sentences as queries against the
// English test audio.
#include <nlohmann/json.hpp>
#include <iosfwd>
#include <string>
#include <vector>

namespace clasp {

class AudioEmbedder;
class QueryEmbedder;

struct ClaspEvalOptions {
  std::string model_dir = "models/clasp-default";
  // More CLASP models with the same text encoder: a clip's vector is then
  // the normalised sum of every model's vector (an embedding ensemble).
  std::vector<std::string> ensemble;
  // A target-"phonemes" model appended as the phonetic part instead of the
  // one clasp.json names ("" = as clasp.json says), at phonetic_weight.
  std::string phonetic;
  double phonetic_weight = 0.5;
  // Two-stage search, reported beside the single-vector figures (0 = off):
  // each query's best rerank_k candidates by CLASP score get rerank_weight x
  // how much better than chance the query's phonemes occur in the clip's
  // decoded phonemes (index/phonetic_rerank.h).
  size_t rerank_k = 0;
  double rerank_weight = 3.0;
  // The second stage also scores the query's phonemes against each clip's
  // CTC posteriors, `posterior_top` classes kept per frame as the index
  // keeps them (0 = the decoded phonemes alone; speech/ctc_match.h), with
  // the match reaching 0 at `posterior_span` nats per phoneme.
  size_t posterior_top = 16;
  double posterior_span = 3.0;
  // English glosses of the queries (text/word_lexicon.h), matched as well
  // as the queries themselves in the second stage: "" = the model's
  // lexicon.json if it has one, "none" = no glosses.
  std::string lexicon;
  // Cross-lingual queries are also machine-translated into the audio's
  // language (Debian's apertium, data/translate.h): the translation's vector
  // is mixed into the query's at translation_vector_weight, and with
  // rerank_k the translation is matched in the second stage as one more gloss.
  bool translate = false;
  double translation_vector_weight = 0.5;  // the product uses kTranslationVectorWeight
  // The recogniser's confusions for the second stage: "" = the model's
  // phone-costs.json if it has one, "none" = plain edit distance.
  std::string phone_costs;
  // Non-zero: every clip is heard through a random view (tempo, vocal-tract
  // warp, background noise: audio/mel_augment.h), seeded by this and the
  // clip's id, a stand-in for voices no synthesiser in training has (the
  // encoder decodes such views at about festival's phoneme error rate).
  uint64_t view_seed = 0;
  // With rerank_k: a JSONL file of every query whose clip the two-stage
  // search did not put first, with the clip it did ("" = none written).
  std::string misses;
  std::string manifest;
  std::string cache_dir;  // "" = <corpus>/mel-cache
  std::string split = "test";
  size_t soft_distractors = 99;
  uint64_t seed = 1;
  int threads = 2;
  // Where the tables are written as they are computed (the CLI passes
  // standard output); null: nowhere, the report alone.
  std::ostream* tables = nullptr;
};

// Writes the tables to opt.tables and returns the full report.
nlohmann::json evaluate_clasp(const ClaspEvalOptions& opt);
// The same on a model already loaded (opt.model_dir is then only where its
// lexicon and phone costs are found): clasp report evaluates several corpora
// with one load. opt.phonetic must be empty.
nlohmann::json evaluate_clasp(const ClaspEvalOptions& opt, const AudioEmbedder& audio, QueryEmbedder& queries);

}  // namespace clasp
