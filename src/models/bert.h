#pragma once
// BERT-family transformer encoder (BertModel, XLMRobertaModel) in libtorch.
// Sub-modules carry Hugging Face's names, so named_parameters() keys equal
// the checkpoint keys ("embeddings.word_embeddings.weight",
// "encoder.layer.0.attention.self.query.weight", ...).
#include <torch/torch.h>

#include <map>
#include <string>

namespace clasp {

struct BertConfig {
  std::string model_type = "bert";  // bert | xlm-roberta
  int64_t vocab_size = 8000;
  int64_t hidden_size = 256;
  int64_t num_hidden_layers = 2;
  int64_t num_attention_heads = 4;
  int64_t intermediate_size = 1024;
  int64_t max_position_embeddings = 128;
  int64_t type_vocab_size = 2;
  int64_t pad_token_id = 0;
  double layer_norm_eps = 1e-12;
  std::string hidden_act = "gelu";
  double dropout = 0.1;

  // Reads a Hugging Face config.json; errors name the file and field.
  static BertConfig from_json_file(const std::string& path);
  std::string to_json() const;
  bool roberta_positions() const { return model_type == "xlm-roberta" || model_type == "roberta"; }
};

struct BertEmbeddingsImpl : torch::nn::Module {
  explicit BertEmbeddingsImpl(const BertConfig& c);
  torch::Tensor forward(const torch::Tensor& ids);
  BertConfig cfg;
  torch::nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr}, token_type_embeddings{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(BertEmbeddings);

struct BertSelfAttentionImpl : torch::nn::Module {
  explicit BertSelfAttentionImpl(const BertConfig& c);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& additive_mask);
  int64_t heads, head_dim;
  torch::nn::Linear query{nullptr}, key{nullptr}, value{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(BertSelfAttention);

// "dense" + "LayerNorm" around a residual, as BertSelfOutput and BertOutput.
struct BertResidualOutputImpl : torch::nn::Module {
  BertResidualOutputImpl(int64_t in, int64_t out, double eps, double dropout);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& residual);
  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(BertResidualOutput);

struct BertAttentionImpl : torch::nn::Module {
  explicit BertAttentionImpl(const BertConfig& c);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& additive_mask);
  BertSelfAttention self{nullptr};
  BertResidualOutput output{nullptr};
};
TORCH_MODULE(BertAttention);

struct BertIntermediateImpl : torch::nn::Module {
  explicit BertIntermediateImpl(const BertConfig& c);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Linear dense{nullptr};
  std::string act;
};
TORCH_MODULE(BertIntermediate);

struct BertLayerImpl : torch::nn::Module {
  explicit BertLayerImpl(const BertConfig& c);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& additive_mask);
  BertAttention attention{nullptr};
  BertIntermediate intermediate{nullptr};
  BertResidualOutput output{nullptr};
};
TORCH_MODULE(BertLayer);

struct BertEncoderStackImpl : torch::nn::Module {
  explicit BertEncoderStackImpl(const BertConfig& c);
  torch::nn::ModuleList layer{nullptr};
};
TORCH_MODULE(BertEncoderStack);

struct BertModelImpl : torch::nn::Module {
  explicit BertModelImpl(const BertConfig& c);
  // ids, mask: [batch, seq] int64 -> last_hidden_state [batch, seq, hidden].
  torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& mask);
  BertConfig cfg;
  BertEmbeddings embeddings{nullptr};
  BertEncoderStack encoder{nullptr};
};
TORCH_MODULE(BertModel);

// Copies checkpoint tensors into the model. Accepts keys with or without a
// "bert." / "roberta." / "model." prefix and old "gamma"/"beta" LayerNorm
// names; ignores pooler and head weights. Throws clasp::Error naming the
// first missing or mis-shaped parameter.
void load_bert_weights(BertModel& model, const std::map<std::string, torch::Tensor>& weights,
                       const std::string& where);

// Mean of the hidden states over unmasked positions.
torch::Tensor mean_pool(const torch::Tensor& hidden, const torch::Tensor& mask);

}  // namespace clasp
