#pragma once
// The torch side of a sentence encoder, shared by loading and training.
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "models/bert.h"
#include "text/sentence_encoder.h"
#include "text/tokenizer.h"

namespace clasp {

struct TokenBatch {
  torch::Tensor ids, mask;  // [B, L] int64
  size_t truncated = 0;
};

// A projection after pooling, as sentence-transformers' Dense module (LaBSE
// has one with tanh).
struct DenseHead {
  torch::nn::Linear linear{nullptr};
  std::string activation = "identity";  // identity | tanh | relu | gelu
};

class TextEncoderModel {
 public:
  TextEncoderModel(BertConfig cfg, std::unique_ptr<TextTokenizer> tok, TextEncoderInfo info);
  TokenBatch tokenize(const std::vector<std::string>& texts) const;
  // Last hidden state of the transformer [B, L, hidden].
  torch::Tensor hidden(const TokenBatch& b);
  // Pooled, projected and (if configured) normalised embeddings [B, dim].
  torch::Tensor forward(const TokenBatch& b);
  void set_dense(DenseHead head);
  // Lower-case input text before tokenising (sentence-transformers' do_lower_case).
  void set_lowercase_input(bool on) { lowercase_input_ = on; }
  BertModel& bert() { return bert_; }
  TextEncoderInfo& info() { return info_; }
  const BertConfig& config() const { return cfg_; }

 private:
  BertConfig cfg_;
  std::unique_ptr<TextTokenizer> tok_;
  TextEncoderInfo info_;
  BertModel bert_{nullptr};
  DenseHead dense_;
  bool lowercase_input_ = false;
};

// Loads the project's own format (see sentence_encoder.h).
std::unique_ptr<TextEncoderModel> load_clasp_text_model(const std::string& dir);
// Saves it: clasp_text.json, config.json, model.safetensors (float16), spm.model.
void save_clasp_text_model(TextEncoderModel& m, const std::string& dir, const std::string& spm_model_path);

}  // namespace clasp
