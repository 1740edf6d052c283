#include "models/hf_speech_model.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "models/torch_checkpoint.h"
#include "util/error.h"

namespace fs = std::filesystem;

namespace clasp {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& why) { throw Error(path + ": " + why); }

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail(path, "cannot open");
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) fail(path, "not a JSON object");
  return j;
}

template <typename T>
void field(const nlohmann::json& j, const std::string& path, const char* k, T& out) {
  if (!j.contains(k) || j[k].is_null()) return;  // keep the default (as transformers does)
  try {
    out = j[k].get<T>();
  } catch (const nlohmann::json::exception&) {
    fail(path, std::string("field \"") + k + "\" has the wrong type");
  }
}

torch::Tensor act(const torch::Tensor& x, const std::string& name) {
  if (name == "gelu") return torch::gelu(x);
  if (name == "gelu_new") return torch::gelu(x, "tanh");
  if (name == "relu") return torch::relu(x);
  return x * torch::sigmoid(x);  // "swish"/"silu", checked at load
}

}  // namespace

HfSpeechConfig HfSpeechConfig::from_dir(const std::string& dir) {
  const std::string path = dir + "/config.json";
  auto j = read_json(path);
  HfSpeechConfig c;
  field(j, path, "model_type", c.model_type);
  if (c.model_type != "hubert" && c.model_type != "wav2vec2")
    fail(path, "model_type \"" + c.model_type + "\" is not a speech model this loader knows (hubert, wav2vec2)");
  field(j, path, "feat_extract_norm", c.feat_extract_norm);
  field(j, path, "conv_dim", c.conv_dim);
  field(j, path, "conv_stride", c.conv_stride);
  field(j, path, "conv_kernel", c.conv_kernel);
  field(j, path, "conv_bias", c.conv_bias);
  field(j, path, "hidden_size", c.hidden_size);
  field(j, path, "num_hidden_layers", c.num_hidden_layers);
  field(j, path, "num_attention_heads", c.num_attention_heads);
  field(j, path, "intermediate_size", c.intermediate_size);
  field(j, path, "num_conv_pos_embeddings", c.num_conv_pos_embeddings);
  field(j, path, "num_conv_pos_embedding_groups", c.num_conv_pos_embedding_groups);
  field(j, path, "layer_norm_eps", c.layer_norm_eps);
  field(j, path, "do_stable_layer_norm", c.do_stable_layer_norm);
  field(j, path, "feat_proj_layer_norm", c.feat_proj_layer_norm);
  field(j, path, "hidden_act", c.hidden_act);
  field(j, path, "feat_extract_activation", c.feat_extract_activation);
  field(j, path, "vocab_size", c.vocab_size);
  if (c.model_type == "wav2vec2") c.feat_proj_layer_norm = true;
  if (c.feat_extract_norm != "group" && c.feat_extract_norm != "layer")
    fail(path, "feat_extract_norm must be \"group\" or \"layer\", not \"" + c.feat_extract_norm + "\"");
  if (c.conv_dim.empty() || c.conv_dim.size() != c.conv_stride.size() || c.conv_dim.size() != c.conv_kernel.size())
    fail(path, "conv_dim, conv_stride and conv_kernel must be non-empty and of the same length");
  if (c.hidden_size % c.num_attention_heads || c.hidden_size % c.num_conv_pos_embedding_groups)
    fail(path, "hidden_size must be divisible by num_attention_heads and num_conv_pos_embedding_groups");
  if (c.vocab_size < 1) fail(path, "vocab_size must be at least 1");
  for (const auto* a : {&c.hidden_act, &c.feat_extract_activation})
    if (*a != "gelu" && *a != "gelu_new" && *a != "relu" && *a != "swish" && *a != "silu")
      fail(path, "activation \"" + *a + "\" is not supported (gelu, gelu_new, relu, swish)");
  const std::string pre = dir + "/preprocessor_config.json";
  if (fs::exists(pre)) {
    auto p = read_json(pre);
    field(p, pre, "do_normalize", c.do_normalize);
    int rate = 16000;
    field(p, pre, "sampling_rate", rate);
    if (rate != 16000) fail(pre, "sampling_rate is " + std::to_string(rate) + "; only 16000 Hz models are supported");
  }
  return c;
}

int64_t HfSpeechConfig::frames_for(int64_t samples) const {
  for (size_t i = 0; i < conv_kernel.size(); ++i) samples = (samples - conv_kernel[i]) / conv_stride[i] + 1;
  return std::max<int64_t>(samples, 0);
}

struct HfSpeechModel::Weights {
  std::map<std::string, torch::Tensor> t;
  const torch::Tensor& at(const std::string& k) const { return t.at(k); }
  torch::Tensor opt(const std::string& k) const {
    auto it = t.find(k);
    return it == t.end() ? torch::Tensor() : it->second;
  }
};

namespace {

// name -> shape of every tensor the forward pass reads.
std::map<std::string, std::vector<int64_t>> expected_shapes(const HfSpeechConfig& c) {
  std::map<std::string, std::vector<int64_t>> s;
  const int64_t H = c.hidden_size, F = c.intermediate_size;
  for (size_t i = 0; i < c.conv_dim.size(); ++i) {
    const std::string p = "feature_extractor.conv_layers." + std::to_string(i) + ".";
    int64_t in = i ? c.conv_dim[i - 1] : 1, out = c.conv_dim[i];
    s[p + "conv.weight"] = {out, in, c.conv_kernel[i]};
    if (c.conv_bias) s[p + "conv.bias"] = {out};
    if (c.feat_extract_norm == "layer" || i == 0) s[p + "layer_norm.weight"] = s[p + "layer_norm.bias"] = {out};
  }
  const int64_t C = c.conv_dim.back();
  if (c.feat_proj_layer_norm) s["feature_projection.layer_norm.weight"] = s["feature_projection.layer_norm.bias"] = {C};
  s["feature_projection.projection.weight"] = {H, C};
  s["feature_projection.projection.bias"] = {H};
  s["encoder.pos_conv_embed.conv.weight_g"] = {1, 1, c.num_conv_pos_embeddings};
  s["encoder.pos_conv_embed.conv.weight_v"] = {H, H / c.num_conv_pos_embedding_groups, c.num_conv_pos_embeddings};
  s["encoder.pos_conv_embed.conv.bias"] = {H};
  s["encoder.layer_norm.weight"] = s["encoder.layer_norm.bias"] = {H};
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const std::string p = "encoder.layers." + std::to_string(l) + ".";
    for (const char* m : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
      s[p + "attention." + m + ".weight"] = {H, H};
      s[p + "attention." + m + ".bias"] = {H};
    }
    s[p + "layer_norm.weight"] = s[p + "layer_norm.bias"] = {H};
    s[p + "final_layer_norm.weight"] = s[p + "final_layer_norm.bias"] = {H};
    s[p + "feed_forward.intermediate_dense.weight"] = {F, H};
    s[p + "feed_forward.intermediate_dense.bias"] = {F};
    s[p + "feed_forward.output_dense.weight"] = {H, F};
    s[p + "feed_forward.output_dense.bias"] = {H};
  }
  return s;
}

torch::Tensor layer_norm(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b, double eps) {
  return torch::layer_norm(x, {x.size(-1)}, w, b, eps);
}

}  // namespace

HfSpeechModel::HfSpeechModel(HfSpeechConfig cfg, std::unique_ptr<Weights> w) : cfg_(std::move(cfg)), w_(std::move(w)) {}
HfSpeechModel::~HfSpeechModel() = default;

std::unique_ptr<HfSpeechModel> HfSpeechModel::load(const std::string& dir) {
  auto cfg = HfSpeechConfig::from_dir(dir);
  const std::string path = fs::exists(dir + "/model.safetensors") ? dir + "/model.safetensors" : dir + "/pytorch_model.bin";
  auto raw = load_weights_in_dir(dir);
  // *ForCTC / *ForPreTraining checkpoints prefix the base model's keys.
  std::string prefix;
  for (const char* p : {"hubert.", "wav2vec2."})
    if (raw.count(std::string(p) + "feature_projection.projection.weight")) prefix = p;
  auto w = std::make_unique<Weights>();
  for (auto& [k, v] : raw) {
    if (k == "lm_head.weight" || k == "lm_head.bias") {  // *ForCTC's head sits outside the prefix
      w->t[k] = v.to(torch::kFloat32);
      continue;
    }
    if (k.rfind(prefix, 0) != 0) continue;
    std::string name = k.substr(prefix.size());
    // Newer transformers store the weight norm as a parametrization.
    if (name == "encoder.pos_conv_embed.conv.parametrizations.weight.original0") name = "encoder.pos_conv_embed.conv.weight_g";
    if (name == "encoder.pos_conv_embed.conv.parametrizations.weight.original1") name = "encoder.pos_conv_embed.conv.weight_v";
    w->t[name] = v.to(torch::kFloat32);
  }
  for (auto& [name, shape] : expected_shapes(cfg)) {
    auto it = w->t.find(name);
    if (it == w->t.end()) fail(path, "missing tensor \"" + prefix + name + "\" (does config.json match the weights?)");
    if (it->second.sizes().vec() != shape)
      fail(path, "tensor \"" + prefix + name + "\" has shape " + c10::str(it->second.sizes()) + ", expected " +
                     c10::str(c10::IntArrayRef(shape)));
  }
  const bool head_w = w->t.count("lm_head.weight"), head_b = w->t.count("lm_head.bias");
  if (head_w != head_b) fail(path, "has only one of lm_head.weight and lm_head.bias");
  if (head_w) {
    const std::vector<int64_t> ws{cfg.vocab_size, cfg.hidden_size}, bs{cfg.vocab_size};
    if (w->t["lm_head.weight"].sizes().vec() != ws || w->t["lm_head.bias"].sizes().vec() != bs)
      fail(path, "lm_head has shape " + c10::str(w->t["lm_head.weight"].sizes()) + ", expected [vocab_size " +
                     std::to_string(cfg.vocab_size) + ", hidden_size " + std::to_string(cfg.hidden_size) +
                     "] (config.json's vocab_size)");
  }
  return std::unique_ptr<HfSpeechModel>(new HfSpeechModel(cfg, std::move(w)));
}

std::unique_ptr<HfSpeechModel> HfSpeechModel::random(const HfSpeechConfig& cfg, uint64_t seed) {
  auto gen = at::detail::createCPUGenerator(seed);
  auto w = std::make_unique<Weights>();
  for (auto& [name, shape] : expected_shapes(cfg)) {
    bool norm_gain = name.find("norm.weight") != std::string::npos || name.find("weight_g") != std::string::npos;
    w->t[name] = norm_gain ? torch::ones(shape) : at::normal(0.0, 0.02, shape, gen);
  }
  w->t["lm_head.weight"] = at::normal(0.0, 0.02, {cfg.vocab_size, cfg.hidden_size}, gen);
  w->t["lm_head.bias"] = torch::zeros({cfg.vocab_size});
  return std::unique_ptr<HfSpeechModel>(new HfSpeechModel(cfg, std::move(w)));
}

size_t HfSpeechModel::parameter_count() const {
  size_t n = 0;
  for (auto& [k, v] : w_->t) n += static_cast<size_t>(v.numel());
  return n;
}

namespace {

// The base model's forward pass: [T, hidden].
torch::Tensor encode(const HfSpeechConfig& c, const HfSpeechModel::Weights& W, const std::vector<float>& samples) {
  if (c.frames_for(static_cast<int64_t>(samples.size())) < 1)
    throw Error("audio of " + std::to_string(samples.size()) + " samples is too short for " + c.model_type +
                "'s feature encoder");
  torch::NoGradGuard ng;
  auto x = torch::from_blob(const_cast<float*>(samples.data()), {1, 1, static_cast<int64_t>(samples.size())}).clone();
  // Feature encoder.
  for (size_t i = 0; i < c.conv_dim.size(); ++i) {
    const std::string p = "feature_extractor.conv_layers." + std::to_string(i) + ".";
    x = torch::conv1d(x, W.at(p + "conv.weight"), W.opt(p + "conv.bias"), c.conv_stride[i]);
    if (c.feat_extract_norm == "layer")
      x = layer_norm(x.transpose(1, 2), W.at(p + "layer_norm.weight"), W.at(p + "layer_norm.bias"), 1e-5)
              .transpose(1, 2);
    else if (i == 0)
      x = torch::group_norm(x, c.conv_dim[0], W.at(p + "layer_norm.weight"), W.at(p + "layer_norm.bias"), 1e-5);
    x = act(x, c.feat_extract_activation);
  }
  auto h = x.transpose(1, 2);  // [1, T, C]
  if (c.feat_proj_layer_norm)
    h = layer_norm(h, W.at("feature_projection.layer_norm.weight"), W.at("feature_projection.layer_norm.bias"),
                   c.layer_norm_eps);
  h = torch::linear(h, W.at("feature_projection.projection.weight"), W.at("feature_projection.projection.bias"));
  // Positional convolution: weight = g * v / ||v||, the norm over all but the kernel axis (weight_norm dim=2).
  {
    const auto& g = W.at("encoder.pos_conv_embed.conv.weight_g");
    const auto& v = W.at("encoder.pos_conv_embed.conv.weight_v");
    auto weight = g * v / v.pow(2).sum(torch::IntArrayRef{0, 1}, true).sqrt();
    auto pos = torch::conv1d(h.transpose(1, 2), weight, W.at("encoder.pos_conv_embed.conv.bias"), 1,
                             c.num_conv_pos_embeddings / 2, 1, c.num_conv_pos_embedding_groups);
    if (c.num_conv_pos_embeddings % 2 == 0) pos = pos.slice(2, 0, pos.size(2) - 1);
    h = h + act(pos, c.feat_extract_activation).transpose(1, 2);
  }
  auto ln = [&](const torch::Tensor& t, const std::string& p) {
    return layer_norm(t, W.at(p + ".weight"), W.at(p + ".bias"), c.layer_norm_eps);
  };
  if (!c.do_stable_layer_norm) h = ln(h, "encoder.layer_norm");
  const int64_t H = c.hidden_size, nh = c.num_attention_heads, hd = H / nh, T = h.size(1);
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const std::string p = "encoder.layers." + std::to_string(l) + ".";
    auto lin = [&](const torch::Tensor& t, const std::string& m) {
      return torch::linear(t, W.at(p + m + ".weight"), W.at(p + m + ".bias"));
    };
    auto attention = [&](const torch::Tensor& t) {
      auto q = (lin(t, "attention.q_proj") * (1.0 / std::sqrt(static_cast<double>(hd)))).view({1, T, nh, hd}).transpose(1, 2);
      auto k = lin(t, "attention.k_proj").view({1, T, nh, hd}).transpose(1, 2);
      auto v = lin(t, "attention.v_proj").view({1, T, nh, hd}).transpose(1, 2);
      auto a = torch::softmax(torch::matmul(q, k.transpose(2, 3)), -1);
      return lin(torch::matmul(a, v).transpose(1, 2).reshape({1, T, H}), "attention.out_proj");
    };
    auto ff = [&](const torch::Tensor& t) {
      return lin(act(lin(t, "feed_forward.intermediate_dense"), c.hidden_act), "feed_forward.output_dense");
    };
    if (c.do_stable_layer_norm) {
      h = h + attention(ln(h, p + "layer_norm"));
      h = h + ff(ln(h, p + "final_layer_norm"));
    } else {
      h = ln(h + attention(h), p + "layer_norm");
      h = ln(h + ff(h), p + "final_layer_norm");
    }
  }
  if (c.do_stable_layer_norm) h = ln(h, "encoder.layer_norm");
  return h[0].contiguous();
}

std::vector<float> rows(const torch::Tensor& t, int64_t* n) {
  if (n) *n = t.size(0);
  return std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
}

}  // namespace

std::vector<float> HfSpeechModel::last_hidden_state(const std::vector<float>& samples, int64_t* frames) const {
  torch::NoGradGuard ng;
  return rows(encode(cfg_, *w_, samples), frames);
}

bool HfSpeechModel::has_ctc_head() const { return w_->t.count("lm_head.weight") > 0; }

std::vector<float> HfSpeechModel::ctc_logits(const std::vector<float>& input_values, int64_t* frames) const {
  if (!has_ctc_head())
    throw Error("this " + cfg_.model_type + " checkpoint has no CTC head (lm_head): use a *ForCTC model");
  torch::NoGradGuard ng;
  auto h = encode(cfg_, *w_, input_values);
  return rows(torch::linear(h, w_->at("lm_head.weight"), w_->at("lm_head.bias")).contiguous(), frames);
}

std::vector<float> HfSpeechModel::preprocess(const std::vector<float>& samples) const {
  if (!cfg_.do_normalize || samples.empty()) return samples;
  // Wav2Vec2FeatureExtractor's zero-mean unit-variance normalisation.
  double mean = 0, var = 0;
  for (float v : samples) mean += v;
  mean /= static_cast<double>(samples.size());
  for (float v : samples) var += (v - mean) * (v - mean);
  var /= static_cast<double>(samples.size());
  std::vector<float> out(samples.size());
  const double inv = 1.0 / std::sqrt(var + 1e-7);
  for (size_t i = 0; i < samples.size(); ++i) out[i] = static_cast<float>((samples[i] - mean) * inv);
  return out;
}

std::vector<float> HfSpeechModel::mean_pooled(const std::vector<float>& samples) const {
  int64_t T = 0;
  auto h = last_hidden_state(preprocess(samples), &T);
  std::vector<float> out(static_cast<size_t>(cfg_.hidden_size), 0.0f);
  for (int64_t t = 0; t < T; ++t)
    for (int64_t d = 0; d < cfg_.hidden_size; ++d) out[static_cast<size_t>(d)] += h[static_cast<size_t>(t * cfg_.hidden_size + d)];
  for (auto& v : out) v /= static_cast<float>(T);
  return out;
}

bool is_hf_speech_dir(const std::string& dir) {
  std::ifstream in(dir + "/config.json");
  if (!in) return false;
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("model_type") || !j["model_type"].is_string()) return false;
  auto t = j["model_type"].get<std::string>();
  return t == "hubert" || t == "wav2vec2";
}

}  // namespace clasp
