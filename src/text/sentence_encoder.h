#pragma once
// A frozen sentence encoder: text -> vector. Loads the project's encoder
// directory (clasp_text.json, config.json, model.safetensors, spm.model), a
// Hugging Face BertModel / XLMRobertaModel directory, or a
// sentence-transformers directory (modules.json). No torch types in this
// header: callers only see float vectors.
#include <memory>
#include <string>
#include <vector>

namespace clasp {

struct TextEncoderInfo {
  std::string name;        // directory name
  std::string tokenizer;   // sentencepiece | sentencepiece-fairseq | wordpiece
  std::string format;      // clasp | huggingface | sentence-transformers
  std::string pooling;     // mean | cls | max
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
  // Texts cut at max_len tokens by embed() calls so far (each is also logged).
  virtual size_t truncated() const = 0;
  int dim() const { return info().dim; }
};

// Where the shipped default lives, relative to the project root.
std::string default_text_encoder_dir();

}  // namespace clasp
