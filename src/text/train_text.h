#pragma once
// Training of the default multilingual sentence encoder: a SentencePiece
// vocabulary over all languages, then a small BERT-style encoder trained
// with a translation-ranking loss (in-batch symmetric InfoNCE between an
// English sentence and one of its translations).
#include <cstdint>
#include <string>

namespace clasp {

struct TextTrainOptions {
  std::string manifest = "data/brown-multilingual.jsonl";
  std::string out_dir = "models/text-default";
  std::string work_dir = "runs/text-default";  // checkpoints, vocabulary, metrics
  int vocab_size = 8000;
  int hidden = 256, layers = 3, heads = 4, intermediate = 1024, max_len = 64;
  int steps = 3000, batch = 128, warmup = 200, eval_every = 250;
  double lr = 5e-4, weight_decay = 0.01, scale = 20.0;
  uint64_t seed = 1;
  int threads = 2;
};

// Resumes from work_dir/checkpoint.pt when present. Writes the final model
// to out_dir and metrics to work_dir/metrics.jsonl.
void train_text_encoder(const TextTrainOptions& opt);

}  // namespace clasp
