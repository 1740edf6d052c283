#include "models/bert.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "util/error.h"
#include "util/json_file.h"

namespace clasp {

BertConfig BertConfig::from_json_file(const std::string& path) {
  nlohmann::json j = read_json_file(path);
  BertConfig c;
  auto get = [&](const char* k, auto* out, bool required) {
    if (!j.contains(k)) {
      if (required) fail_file(path, std::string("missing field \"") + k + "\"");
      return;
    }
    try {
      *out = j[k].get<std::remove_pointer_t<decltype(out)>>();
    } catch (const nlohmann::json::exception&) {
      fail_file(path, std::string("field \"") + k + "\" has the wrong type");
    }
  };
  get("model_type", &c.model_type, false);
  get("vocab_size", &c.vocab_size, true);
  get("hidden_size", &c.hidden_size, true);
  get("num_hidden_layers", &c.num_hidden_layers, true);
  get("num_attention_heads", &c.num_attention_heads, true);
  get("intermediate_size", &c.intermediate_size, true);
  get("max_position_embeddings", &c.max_position_embeddings, true);
  get("type_vocab_size", &c.type_vocab_size, false);
  if (c.roberta_positions()) c.pad_token_id = 1;  // XLM-R's <pad>
  if (j.contains("pad_token_id") && !j["pad_token_id"].is_null()) get("pad_token_id", &c.pad_token_id, false);
  get("layer_norm_eps", &c.layer_norm_eps, false);
  get("hidden_act", &c.hidden_act, false);
  if (c.model_type != "bert" && !c.roberta_positions())
    fail_file(path, "model_type \"" + c.model_type + "\" is not supported (expected bert or xlm-roberta)");
  if (c.hidden_size % c.num_attention_heads != 0)
    fail_file(path, "hidden_size must be divisible by num_attention_heads");
  if (c.hidden_act != "gelu" && c.hidden_act != "relu" && c.hidden_act != "gelu_new")
    fail_file(path, "hidden_act \"" + c.hidden_act + "\" is not supported (gelu, gelu_new, relu)");
  return c;
}

std::string BertConfig::to_json() const {
  nlohmann::json j = {{"model_type", model_type},
                      {"vocab_size", vocab_size},
                      {"hidden_size", hidden_size},
                      {"num_hidden_layers", num_hidden_layers},
                      {"num_attention_heads", num_attention_heads},
                      {"intermediate_size", intermediate_size},
                      {"max_position_embeddings", max_position_embeddings},
                      {"type_vocab_size", type_vocab_size},
                      {"pad_token_id", pad_token_id},
                      {"layer_norm_eps", layer_norm_eps},
                      {"hidden_act", hidden_act}};
  return j.dump(2);
}

BertEmbeddingsImpl::BertEmbeddingsImpl(const BertConfig& c) : cfg(c) {
  word_embeddings = register_module("word_embeddings", torch::nn::Embedding(c.vocab_size, c.hidden_size));
  position_embeddings =
      register_module("position_embeddings", torch::nn::Embedding(c.max_position_embeddings, c.hidden_size));
  token_type_embeddings =
      register_module("token_type_embeddings", torch::nn::Embedding(c.type_vocab_size, c.hidden_size));
  LayerNorm = register_module(
      "LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps)));
  dropout = register_module("dropout", torch::nn::Dropout(c.dropout));
}

torch::Tensor BertEmbeddingsImpl::forward(const torch::Tensor& ids) {
  torch::Tensor pos;
  if (cfg.roberta_positions()) {
    // RoBERTa counts positions from padding_idx + 1 and leaves pads at padding_idx.
    auto m = ids.ne(cfg.pad_token_id).to(torch::kLong);
    pos = torch::cumsum(m, 1) * m + cfg.pad_token_id;
  } else {
    pos = torch::arange(ids.size(1), ids.options()).unsqueeze(0).expand_as(ids);
  }
  auto types = torch::zeros_like(ids);
  auto x = word_embeddings(ids) + position_embeddings(pos) + token_type_embeddings(types);
  return dropout(LayerNorm(x));
}

BertSelfAttentionImpl::BertSelfAttentionImpl(const BertConfig& c)
    : heads(c.num_attention_heads), head_dim(c.hidden_size / c.num_attention_heads) {
  query = register_module("query", torch::nn::Linear(c.hidden_size, c.hidden_size));
  key = register_module("key", torch::nn::Linear(c.hidden_size, c.hidden_size));
  value = register_module("value", torch::nn::Linear(c.hidden_size, c.hidden_size));
  dropout = register_module("dropout", torch::nn::Dropout(c.dropout));
}

torch::Tensor BertSelfAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& additive_mask) {
  auto B = x.size(0), L = x.size(1);
  auto split = [&](const torch::Tensor& t) { return t.view({B, L, heads, head_dim}).transpose(1, 2); };
  auto q = split(query(x)), k = split(key(x)), v = split(value(x));
  auto scores = torch::matmul(q, k.transpose(-1, -2)) / std::sqrt(static_cast<double>(head_dim));
  auto probs = dropout(torch::softmax(scores + additive_mask, -1));
  return torch::matmul(probs, v).transpose(1, 2).reshape({B, L, heads * head_dim});
}

BertResidualOutputImpl::BertResidualOutputImpl(int64_t in, int64_t out, double eps, double p) {
  dense = register_module("dense", torch::nn::Linear(in, out));
  LayerNorm = register_module("LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({out}).eps(eps)));
  dropout = register_module("dropout", torch::nn::Dropout(p));
}

torch::Tensor BertResidualOutputImpl::forward(const torch::Tensor& x, const torch::Tensor& residual) {
  return LayerNorm(dropout(dense(x)) + residual);
}

BertAttentionImpl::BertAttentionImpl(const BertConfig& c) {
  self = register_module("self", BertSelfAttention(c));
  output = register_module("output", BertResidualOutput(c.hidden_size, c.hidden_size, c.layer_norm_eps, c.dropout));
}

torch::Tensor BertAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& m) {
  return output(self(x, m), x);
}

BertIntermediateImpl::BertIntermediateImpl(const BertConfig& c) : act(c.hidden_act) {
  dense = register_module("dense", torch::nn::Linear(c.hidden_size, c.intermediate_size));
}

torch::Tensor BertIntermediateImpl::forward(const torch::Tensor& x) {
  auto h = dense(x);
  if (act == "relu") return torch::relu(h);
  if (act == "gelu_new") return torch::gelu(h, "tanh");
  return torch::gelu(h);  // exact erf GELU, as Hugging Face's "gelu"
}

BertLayerImpl::BertLayerImpl(const BertConfig& c) {
  attention = register_module("attention", BertAttention(c));
  intermediate = register_module("intermediate", BertIntermediate(c));
  output = register_module("output", BertResidualOutput(c.intermediate_size, c.hidden_size, c.layer_norm_eps, c.dropout));
}

torch::Tensor BertLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& m) {
  auto a = attention(x, m);
  return output(intermediate(a), a);
}

BertEncoderStackImpl::BertEncoderStackImpl(const BertConfig& c) {
  layer = register_module("layer", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) layer->push_back(BertLayer(c));
}

BertModelImpl::BertModelImpl(const BertConfig& c) : cfg(c) {
  embeddings = register_module("embeddings", BertEmbeddings(c));
  encoder = register_module("encoder", BertEncoderStack(c));
}

torch::Tensor BertModelImpl::forward(const torch::Tensor& ids, const torch::Tensor& mask) {
  if (ids.size(1) > cfg.max_position_embeddings - (cfg.roberta_positions() ? cfg.pad_token_id + 1 : 0))
    throw Error("input of " + std::to_string(ids.size(1)) + " tokens is longer than the model's " +
                std::to_string(cfg.max_position_embeddings) + " positions");
  // 0 where attended, a large negative number where masked.
  auto additive = (1.0 - mask.to(torch::kFloat).unsqueeze(1).unsqueeze(2)) * -1e9;
  auto x = embeddings(ids);
  for (const auto& l : *encoder->layer) x = l->as<BertLayer>()->forward(x, additive);
  return x;
}

void load_bert_weights(BertModel& model, const std::map<std::string, torch::Tensor>& weights,
                       const std::string& where) {
  std::map<std::string, torch::Tensor> norm;
  for (const auto& [k0, v] : weights) {
    std::string k = k0;
    for (const char* p : {"bert.", "roberta.", "model.", "0.auto_model."})
      if (k.rfind(p, 0) == 0) k = k.substr(std::strlen(p));
    auto rep = [&](const std::string& a, const std::string& b) {
      if (k.size() >= a.size() && k.compare(k.size() - a.size(), a.size(), a) == 0)
        k = k.substr(0, k.size() - a.size()) + b;
    };
    rep("LayerNorm.gamma", "LayerNorm.weight");
    rep("LayerNorm.beta", "LayerNorm.bias");
    norm[k] = v;
  }
  torch::NoGradGuard ng;
  for (auto& p : model->named_parameters()) {
    auto it = norm.find(p.key());
    if (it == norm.end()) throw Error(where + ": checkpoint has no tensor \"" + p.key() + "\"");
    if (it->second.sizes() != p.value().sizes())
      throw Error(where + ": tensor \"" + p.key() + "\" has shape " + c10::str(it->second.sizes()) +
                  ", the config expects " + c10::str(p.value().sizes()));
    p.value().copy_(it->second.to(torch::kFloat));
  }
}

torch::Tensor mean_pool(const torch::Tensor& hidden, const torch::Tensor& mask) {
  auto m = mask.to(hidden.dtype()).unsqueeze(-1);
  return (hidden * m).sum(1) / m.sum(1).clamp_min(1e-9);
}

}  // namespace clasp
