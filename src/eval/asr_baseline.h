#pragma once
// `clasp baseline asr`: transcribe-then-retrieve on the same test split as
// `clasp eval`. A recogniser (PocketSphinx, or a Hugging Face wav2vec2 /
// HuBERT CTC checkpoint as in the paper) transcribes each test clip, the
// CLASP model's text encoder embeds the transcripts, and the reference texts
// are the queries, scored with the same metrics, seed and candidates as
// CLASP. Transcripts are kept in <out_dir>/transcripts.jsonl with the
// recogniser that made them, so a killed run resumes where it stopped and a
// different recogniser never reuses them.
#include <nlohmann/json.hpp>
#include <iosfwd>
#include <string>

namespace clasp {

class SentenceEncoder;

struct AsrBaselineOptions {
  std::string manifest;
  // Embeds the transcripts: a CLASP model (its text encoder) or a text encoder directory (clasp's, Hugging Face
  // BERT / XLM-R, or sentence-transformers such as LaBSE).
  std::string model_dir = "models/clasp-default";
  std::string asr_model;  // "" or "pocketsphinx", or a Hugging Face *ForCTC directory
  std::string out_dir = "runs/baseline-asr";
  std::string split = "test", lang = "en";
  size_t soft_distractors = 99;
  uint64_t seed = 1;
  int threads = 2;  // decoders in parallel (PocketSphinx) or torch threads (CTC models)
  // Where the result table is written (the CLI passes standard output);
  // null: nowhere, the returned report alone.
  std::ostream* tables = nullptr;
  // A text encoder already loaded (clasp report shares one); null: the one
  // model_dir names is loaded.
  SentenceEncoder* text = nullptr;
};

nlohmann::json run_asr_baseline(const AsrBaselineOptions& opt);

// model_dir's text encoder: itself unless it is a CLASP model directory (clasp.json).
std::string asr_baseline_text_encoder_dir(const std::string& model_dir);

}  // namespace clasp
