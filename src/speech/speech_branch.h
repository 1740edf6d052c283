#pragma once
// One interface for CLASP's frozen speech branch, whatever is behind it:
// the project's own CTC-pretrained encoder (config.json model_type
// "clasp-speech", log-mel input) or a Hugging Face HuBERT / wav2vec2
// directory (waveform input). Both give the mean-pooled last layer, as the
// paper uses HuBERT. No torch types in this header.
#include <memory>
#include <string>
#include <vector>

namespace clasp {

class SpeechBranch {
 public:
  // Picks the implementation from dir/config.json; errors name the file.
  static std::unique_ptr<SpeechBranch> load(const std::string& dir);
  virtual ~SpeechBranch() = default;
  virtual std::string kind() const = 0;  // "clasp-speech" | "hubert" | "wav2vec2"
  virtual int dim() const = 0;
  virtual size_t parameter_count() const = 0;
  // Mean-pooled last layer of one 16 kHz mono waveform.
  virtual std::vector<float> embed(const std::vector<float>& samples) = 0;
};

}  // namespace clasp
