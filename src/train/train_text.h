#pragma once
// Training of the default multilingual sentence encoder: a SentencePiece
// vocabulary over all languages, then a small BERT-style encoder trained
// with a translation-ranking loss (in-batch symmetric InfoNCE between an
// English sentence and one of its translations). Or, with a teacher, a
// student that starts as the teacher and learns to put every translation
// where the teacher puts its English sentence, while English stays put:
// the CLASP audio side, trained against the teacher, keeps working.
#include <cstdint>
#include <string>
#include <vector>

namespace clasp {

struct TextTrainOptions {
  std::vector<std::string> manifests = {"data/brown-multilingual.jsonl"};  // read together
  std::string out_dir = "models/text-default";
  std::string work_dir = "runs/text-default";  // checkpoints, vocabulary, metrics
  int vocab_size = 8000;
  int hidden = 256, layers = 3, heads = 4, intermediate = 1024, max_len = 64;
  int steps = 3000, batch = 128, warmup = 200, eval_every = 250;
  double lr = 5e-4, weight_decay = 0.01, scale = 20.0;
  uint64_t seed = 1;
  int threads = 2;
  // Distillation: a clasp text model directory. Its vocabulary and
  // architecture are used (vocab_size ... max_len above are ignored), the
  // student starts from its weights, and the loss is
  //   rank(student(xx), teacher(en)) + anchor * (d(student(en), teacher(en)) + d(student(xx), teacher(en)))
  // with d the squared distance of the unit vectors.
  std::string teacher;
  double anchor = 5.0;
};

// Resumes from work_dir/checkpoint.pt when present. Writes the final model
// to out_dir and metrics to work_dir/metrics.jsonl (with a teacher also
// val_anchor_cos: the mean cosine between student and teacher English
// vectors on the validation batch, 1.0 = English unmoved).
void train_text_encoder(const TextTrainOptions& opt);

}  // namespace clasp
