#pragma once
// `clasp report`: runs CLASP's evaluation and the ASR baseline on the same
// test split, measures both pipelines' speed on the same clips and cores,
// and writes one self-contained HTML page (tables, inline SVG figures, and
// the numbers as embedded JSON) plus the JSON on its own.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace clasp {

struct ReportOptions {
  std::string manifest;
  std::string model_dir = "models/clasp-default";
  std::string asr_dir = "runs/baseline-asr";  // the baseline's resumable transcripts
  // Hugging Face wav2vec2 / HuBERT CTC checkpoints (the paper's ASR baselines), each run as a further
  // transcribe-then-retrieve baseline beside PocketSphinx; transcripts in <asr_dir>-<folder name>.
  std::vector<std::string> asr_models;
  std::string out_html = "reports/report.html";
  std::string out_json;                       // "" = <out_html without .html>.json
  std::string split = "test";
  size_t speed_clips = 16;       // English test clips timed through both pipelines
  size_t projection_clips = 200; // English test clips in the speech/text projection
  size_t soft_distractors = 99;
  uint64_t seed = 1;
  int threads = 2;
  // The product's two-stage search (best `rerank` by the vectors, then
  // phonemes; docs/clasp.md) reported beside the paper's protocol (0 = not).
  size_t rerank = 50;
  // Real-speech corpora (`clasp data import-asterisk`, ...) evaluated the same
  // way and shown in their own section, each named by its folder.
  std::vector<std::string> real_manifests;
  // Earlier `clasp eval --json` reports (one per ablation run), summarised
  // in one table; a folder that is missing or holds none adds no section.
  std::string ablations_dir = "reports/ablations";
};

nlohmann::json write_report(const ReportOptions& opt);

}  // namespace clasp
