#pragma once
// The torch side of a sentence encoder, shared by loading and training.
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "models/bert.h"
#include "text/sentence_encoder.h"
#include "text/sp_tokenizer.h"

namespace clasp {

struct TokenBatch {
  torch::Tensor ids, mask;  // [B, L] int64
  size_t truncated = 0;
};

class TextEncoderModel {
 public:
  TextEncoderModel(BertConfig cfg, std::unique_ptr<SentencePieceTokenizer> tok, TextEncoderInfo info);
  TokenBatch tokenize(const std::vector<std::string>& texts) const;
  // Pooled (and, if configured, normalised) embeddings [B, dim].
  torch::Tensor forward(const TokenBatch& b);
  BertModel& bert() { return bert_; }
  TextEncoderInfo& info() { return info_; }
  const BertConfig& config() const { return cfg_; }

 private:
  BertConfig cfg_;
  std::unique_ptr<SentencePieceTokenizer> tok_;
  TextEncoderInfo info_;
  BertModel bert_{nullptr};
};

// Loads the project's own format (see sentence_encoder.h).
std::unique_ptr<TextEncoderModel> load_clasp_text_model(const std::string& dir);
// Saves it: clasp_text.json, config.json, model.safetensors (float16), spm.model.
void save_clasp_text_model(TextEncoderModel& m, const std::string& dir, const std::string& spm_model_path);

}  // namespace clasp
