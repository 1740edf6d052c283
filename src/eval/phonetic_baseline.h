#pragma once
// `clasp baseline phonetic`: the project's own phoneme recogniser as a
// transcribe-then-match baseline. The speech encoder's CTC head transcribes
// each test clip into phonemes (greedy); each query text is turned into
// phonemes by espeak-ng's front end for its language; candidates are ranked
// by normalised phoneme edit distance. Same languages, metrics, seed and
// soft-protocol draws as `clasp eval`. Same-language only: a phoneme match
// cannot cross languages.
#include <nlohmann/json.hpp>
#include <iosfwd>
#include <string>

namespace clasp {

class AudioEmbedder;

struct PhoneticBaselineOptions {
  std::string manifest;
  std::string speech_dir = "models/speech-default";
  std::string cache_dir;  // "" = <corpus>/mel-cache
  std::string split = "test";
  size_t soft_distractors = 99;
  uint64_t seed = 1;
  int threads = 2;
  // Non-zero: every clip heard through a seeded random view (tempo, warp,
  // noise), as `clasp eval --view-seed`.
  uint64_t view_seed = 0;
  // Non-empty: also learn the recogniser's confusions from these clips
  // (index/phone_costs.h) and write them here.
  std::string learn_costs;
  // Where the result table is written (the CLI passes standard output);
  // null: nowhere, the returned report alone.
  std::ostream* tables = nullptr;
};

nlohmann::json run_phonetic_baseline(const PhoneticBaselineOptions& opt);
// The same with the speech encoder of a CLASP model already loaded
// (opt.speech_dir then only names it in the report).
nlohmann::json run_phonetic_baseline(const PhoneticBaselineOptions& opt, const AudioEmbedder& model);

// 1 - edit distance / longer length: 1 = identical, 0 = nothing shared.
float phoneme_similarity(const std::vector<int64_t>& a, const std::vector<int64_t>& b);

}  // namespace clasp
