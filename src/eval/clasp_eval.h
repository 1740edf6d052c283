#pragma once
// `clasp eval`: the paper's protocol on the test split of a synthesised
// corpus. For each language: text->audio and audio->text, hard (every test
// clip of that language competes) and soft (gold + 99 seeded random
// candidates), broken down by category and voice engine; cross-lingual:
// the translations of the English test sentences as queries against the
// English test audio.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace clasp {

struct ClaspEvalOptions {
  std::string model_dir = "models/clasp-default";
  // More CLASP models with the same text encoder: a clip's vector is then
  // the normalised sum of every model's vector (an embedding ensemble).
  std::vector<std::string> ensemble;
  // A target-"phonemes" model appended as the phonetic part instead of the
  // one clasp.json names ("" = as clasp.json says), at phonetic_weight.
  std::string phonetic;
  double phonetic_weight = 0.5;
  std::string manifest;
  std::string cache_dir;  // "" = <corpus>/mel-cache
  std::string split = "test";
  size_t soft_distractors = 99;
  uint64_t seed = 1;
  int threads = 2;
};

// Prints the tables and returns the full report.
nlohmann::json evaluate_clasp(const ClaspEvalOptions& opt);

}  // namespace clasp
