#pragma once
// A Hugging Face Wav2Vec2ForCTC / HubertForCTC checkpoint as a recogniser:
// the feature extractor's normalisation, the model and its lm_head, greedy
// CTC decoding with the checkpoint's own vocabulary. The paper's ASR
// baselines (HuBERT-large / wav2vec2-large fine-tuned on LibriSpeech).
// One object can serve several threads (the forward pass is read-only).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "asr/ctc_vocabulary.h"
#include "asr/speech_recognizer.h"

namespace clasp {

class HfSpeechModel;

class HfCtcAsr : public SpeechRecognizer {
 public:
  // dir: config.json, model.safetensors or pytorch_model.bin with lm_head, vocab.json (+ tokenizer settings).
  explicit HfCtcAsr(const std::string& dir);
  ~HfCtcAsr() override;

  std::string transcribe(const std::vector<float>& samples) override;  // lower-cased decode
  // The frame-wise best ids of raw 16 kHz samples (after the preprocessor).
  std::vector<int64_t> greedy_ids(const std::vector<float>& samples) const;
  const CtcVocabulary& vocabulary() const { return vocab_; }
  const HfSpeechModel& model() const { return *model_; }

 private:
  std::shared_ptr<const HfSpeechModel> model_;
  CtcVocabulary vocab_;
};

}  // namespace clasp
