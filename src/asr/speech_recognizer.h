#pragma once
// The recogniser of a transcribe-then-retrieve baseline: PocketSphinx (the
// default) or a Hugging Face wav2vec2 / HuBERT CTC checkpoint. No torch.
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace clasp {

class SpeechRecognizer {
 public:
  virtual ~SpeechRecognizer() = default;
  // 16 kHz mono samples in [-1, 1] -> lower-case words ("" if nothing heard).
  virtual std::string transcribe(const std::vector<float>& samples) = 0;
};

struct RecognizerChoice {
  std::string name;      // for reports: "pocketsphinx en-us", "wav2vec2 CTC (wav2vec2-large-960h)"
  std::string identity;  // changes when the recogniser does: transcripts made by another are not reused
  int workers = 1;       // recognisers run side by side (PocketSphinx) or one with torch threads (CTC models)
  std::function<std::shared_ptr<SpeechRecognizer>()> make;  // called once per worker
};

// asr_model: "" or "pocketsphinx" for PocketSphinx, else a Hugging Face *ForCTC directory (checked here, so a bad
// directory is refused before any work). threads: decoders in parallel, or torch threads for a CTC model.
RecognizerChoice choose_recognizer(const std::string& asr_model, int threads);

}  // namespace clasp
