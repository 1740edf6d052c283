#pragma once
// A frozen sentence encoder: text -> L2-normalised vector. Loads the
// project's encoder directory (clasp_text.json, config.json,
// model.safetensors, spm.model). No torch types in this header: callers
// only see float vectors.
#include <memory>
#include <string>
#include <vector>

namespace clasp {

struct TextEncoderInfo {
  std::string name;        // directory name
  std::string tokenizer;   // sentencepiece | sentencepiece-fairseq | wordpiece
  std::string pooling;     // mean | cls
  bool normalize = true;
  int dim = 0;
  int max_len = 128;
  int64_t parameters = 0;
};

class SentenceEncoder {
 public:
  static std::unique_ptr<SentenceEncoder> load(const std::string& dir);
  virtual ~SentenceEncoder() = default;
  // One vector per text, row-major [texts.size() x dim()].
  virtual std::vector<float> embed(const std::vector<std::string>& texts, size_t batch = 64) = 0;
  virtual const TextEncoderInfo& info() const = 0;
  int dim() const { return info().dim; }
};

// Where the shipped default lives, relative to the project root.
std::string default_text_encoder_dir();

}  // namespace clasp
