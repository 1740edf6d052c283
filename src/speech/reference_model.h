#pragma once
// The CLASP authors' released model as a clasp directory: their fusion
// encoder (models/reference_fusion.h) with the Hugging Face speech model it
// expects (HuBERT-large-ls960-ft) and the text encoder its vectors live
// with (LaBSE). clasp computes the speech branch's input from audio (peak
// normalisation, the feature extractor, mean of the last layer, as the
// reference does); the second branch's input is the reference's image-model
// feature (EfficientNet-B7's 1000 logits of a rendered spectrogram), which
// clasp cannot compute and the caller supplies. No torch in this header.
#include <memory>
#include <string>
#include <vector>

namespace clasp {

struct ReferenceImportOptions {
  std::string checkpoint;    // torch.save of the module (their clasp.pt) or of its state_dict
  std::string speech_model;  // Hugging Face HuBERT / wav2vec2 directory
  std::string text_model;    // text encoder directory (LaBSE as sentence-transformers, or any clasp reads)
  std::string out_dir;
  bool normalize_inputs = true;  // L2-normalise both branch inputs first, as the reference's inference notes ask
};

// Writes out_dir/reference.json and out_dir/fusion.safetensors (clasp's names). Checks that the speech model's
// output size is what the fusion's speech branch takes; errors name the file and what does not fit.
void import_reference_model(const ReferenceImportOptions& opt);

class ReferenceAudioEmbedder {
 public:
  explicit ReferenceAudioEmbedder(const std::string& dir);
  ~ReferenceAudioEmbedder();
  size_t image_dim() const;
  size_t dim() const;  // 768
  const std::string& text_model() const;
  // 16 kHz samples + the image-model feature of the same clip -> the fused vector, L2-normalised.
  std::vector<float> embed(const std::vector<float>& samples, const std::vector<float>& image_feature) const;
  // The speech branch's input alone (before any normalisation), as the reference's hubert-emb.
  std::vector<float> speech_feature(const std::vector<float>& samples) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace clasp
