#pragma once
// `clasp baseline asr`: transcribe-then-retrieve on the same test split as
// `clasp eval`. PocketSphinx transcribes each English test clip, the CLASP
// model's text encoder embeds the transcripts, and the reference texts are
// the queries, scored with the same metrics, seed and candidates as CLASP.
// Transcripts are kept in <out_dir>/transcripts.jsonl, so a killed run
// resumes where it stopped.
#include <nlohmann/json.hpp>
#include <string>

namespace clasp {

struct AsrBaselineOptions {
  std::string manifest;
  std::string model_dir = "models/clasp-default";  // for its text encoder
  std::string out_dir = "runs/baseline-asr";
  std::string split = "test", lang = "en";
  size_t soft_distractors = 99;
  uint64_t seed = 1;
  int threads = 2;  // decoders in parallel
};

nlohmann::json run_asr_baseline(const AsrBaselineOptions& opt);

}  // namespace clasp
