#pragma once
// English speech recognition with CMU PocketSphinx (Debian's 5prealpha and
// its en-us acoustic model, language model and dictionary): the
// transcribe-then-retrieve baseline of the paper. One decoder per object;
// use one object per thread.
#include <memory>
#include <string>
#include <vector>

#include "asr/speech_recognizer.h"

namespace clasp {

class PocketsphinxAsr : public SpeechRecognizer {
 public:
  // model_dir holds en-us/, en-us.lm.bin and cmudict-en-us.dict.
  explicit PocketsphinxAsr(const std::string& model_dir = default_model_dir());
  ~PocketsphinxAsr() override;
  PocketsphinxAsr(const PocketsphinxAsr&) = delete;
  PocketsphinxAsr& operator=(const PocketsphinxAsr&) = delete;
  // 16 kHz mono samples in [-1, 1] -> lower-case words ("" if nothing heard).
  std::string transcribe(const std::vector<float>& samples) override;
  static std::string default_model_dir();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace clasp
