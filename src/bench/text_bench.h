#pragma once
// Sentences embedded per second, for `clasp bench`.
#include <cstdint>
#include <string>
#include <vector>

namespace clasp {

struct TextBenchResult {
  std::string name;
  int64_t parameters = 0;
  size_t sentences = 0;
  double wall_s = 0;
  double per_s = 0;
};

// `which` is an encoder directory, or "base" for a randomly initialised
// BERT-base-size encoder (12 layers, hidden 768, 12 heads, ff 3072) with the
// default's tokeniser: the compute of LaBSE / XLM-R base without their
// weights. One warm-up batch is not timed.
TextBenchResult bench_text_encoder(const std::string& which, const std::vector<std::string>& sentences, size_t batch);

}  // namespace clasp
