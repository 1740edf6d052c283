#include "text/hf_text_model.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "models/torch_checkpoint.h"
#include "text/sp_tokenizer.h"
#include "text/text_encoder_model.h"
#include "text/wordpiece_tokenizer.h"
#include "util/error.h"
#include "util/json_file.h"

namespace fs = std::filesystem;

namespace clasp {

namespace {

nlohmann::json optional_json(const std::string& path) {
  return fs::exists(path) ? read_json_file(path) : nlohmann::json::object();
}

template <class T>
T field(const nlohmann::json& j, const std::string& path, const char* key, T fallback) {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  try {
    return j[key].get<T>();
  } catch (const nlohmann::json::exception&) {
    fail_file(path, std::string("field \"") + key + "\" has the wrong type");
  }
}

std::unique_ptr<TextTokenizer> load_tokenizer(const std::string& dir) {
  if (fs::exists(dir + "/vocab.txt")) {
    std::string cfg_path = dir + "/tokenizer_config.json";
    auto j = optional_json(cfg_path);
    WordPieceOptions o;
    o.lower_case = field(j, cfg_path, "do_lower_case", true);  // BertTokenizer's default
    if (j.contains("strip_accents") && !j["strip_accents"].is_null())
      o.strip_accents = field(j, cfg_path, "strip_accents", false);
    o.tokenize_chinese_chars = field(j, cfg_path, "tokenize_chinese_chars", true);
    return std::make_unique<WordPieceTokenizer>(dir + "/vocab.txt", o);
  }
  if (fs::exists(dir + "/sentencepiece.bpe.model"))
    return std::make_unique<SentencePieceTokenizer>(dir + "/sentencepiece.bpe.model", true);
  if (fs::exists(dir + "/tokenizer.json"))
    throw Error(dir + ": only tokenizer.json found; clasp reads vocab.txt (WordPiece) or "
                      "sentencepiece.bpe.model (XLM-R) — save the slow tokenizer files too");
  throw Error(dir + ": no tokenizer files (expected vocab.txt or sentencepiece.bpe.model)");
}

// A Hugging Face model directory as a TextEncoderModel, mean-pooled and
// normalised unless the caller changes info().
std::unique_ptr<TextEncoderModel> load_transformer(const std::string& dir, const std::string& name) {
  auto cfg = BertConfig::from_json_file(dir + "/config.json");
  cfg.dropout = 0.0;
  auto tok = load_tokenizer(dir);
  if (tok->vocab_size() > cfg.vocab_size)
    fail_file(dir + "/config.json", "vocab_size " + std::to_string(cfg.vocab_size) + " is smaller than the tokenizer's " +
                                        std::to_string(tok->vocab_size()));
  TextEncoderInfo info;
  info.name = name;
  info.format = "huggingface";
  info.tokenizer = fs::exists(dir + "/vocab.txt") ? "wordpiece" : "sentencepiece-fairseq";
  info.pooling = "mean";
  info.normalize = true;
  // XLM-R's positions start after the padding id, so two fewer fit.
  int64_t positions = cfg.max_position_embeddings - (cfg.roberta_positions() ? cfg.pad_token_id + 1 : 0);
  auto tj = optional_json(dir + "/tokenizer_config.json");
  int64_t model_max = field<int64_t>(tj, dir + "/tokenizer_config.json", "model_max_length", positions);
  info.max_len = static_cast<int>(std::min(positions, model_max));
  auto m = std::make_unique<TextEncoderModel>(cfg, std::move(tok), info);
  std::string where = dir + "/" + (fs::exists(dir + "/model.safetensors") ? "model.safetensors" : "pytorch_model.bin");
  load_bert_weights(m->bert(), load_weights_in_dir(dir), where);
  m->bert()->eval();
  return m;
}

std::string module_kind(const nlohmann::json& mod, const std::string& path) {
  std::string type = field<std::string>(mod, path, "type", "");
  if (type.empty()) fail_file(path, "a module has no \"type\"");
  return type.substr(type.rfind('.') + 1);
}

void apply_pooling(TextEncoderModel& m, const std::string& cfg_path) {
  auto j = read_json_file(cfg_path);
  std::vector<std::string> modes;
  for (auto [key, mode] : {std::pair{"pooling_mode_cls_token", "cls"}, std::pair{"pooling_mode_mean_tokens", "mean"},
                           std::pair{"pooling_mode_max_tokens", "max"}})
    if (field(j, cfg_path, key, false)) modes.push_back(mode);
  for (const char* key : {"pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens",
                          "pooling_mode_lasttoken"})
    if (field(j, cfg_path, key, false)) fail_file(cfg_path, std::string(key) + " is not supported (cls, mean, max)");
  if (modes.size() != 1) fail_file(cfg_path, "exactly one of cls, mean or max pooling must be set");
  m.info().pooling = modes[0];
}

void apply_dense(TextEncoderModel& m, const std::string& dir) {
  std::string cfg_path = dir + "/config.json";
  auto j = read_json_file(cfg_path);
  auto in = field<int64_t>(j, cfg_path, "in_features", -1), out = field<int64_t>(j, cfg_path, "out_features", -1);
  bool bias = field(j, cfg_path, "bias", true);
  if (in <= 0 || out <= 0) fail_file(cfg_path, "in_features and out_features must be positive");
  if (in != m.info().dim)
    fail_file(cfg_path, "in_features " + std::to_string(in) + " does not match the pooled size " +
                            std::to_string(m.info().dim));
  std::string act = field<std::string>(j, cfg_path, "activation_function", "torch.nn.modules.linear.Identity");
  DenseHead head;
  std::string short_act = act.substr(act.rfind('.') + 1);
  if (short_act == "Identity") head.activation = "identity";
  else if (short_act == "Tanh") head.activation = "tanh";
  else if (short_act == "ReLU") head.activation = "relu";
  else if (short_act == "GELU") head.activation = "gelu";
  else fail_file(cfg_path, "activation_function \"" + act + "\" is not supported (Identity, Tanh, ReLU, GELU)");
  head.linear = torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(bias));
  auto w = load_weights_in_dir(dir);
  torch::NoGradGuard ng;
  for (auto& p : head.linear->named_parameters()) {
    auto it = w.find("linear." + p.key());
    if (it == w.end()) throw Error(dir + ": Dense weights lack \"linear." + p.key() + "\"");
    if (it->second.sizes() != p.value().sizes())
      throw Error(dir + ": Dense \"linear." + p.key() + "\" has the wrong shape");
    p.value().copy_(it->second.to(torch::kFloat32));
  }
  m.set_dense(std::move(head));
}

}  // namespace

bool is_sentence_transformers_dir(const std::string& dir) { return fs::exists(dir + "/modules.json"); }
bool is_hf_model_dir(const std::string& dir) { return fs::exists(dir + "/config.json"); }

std::unique_ptr<TextEncoderModel> load_hf_text_model(const std::string& dir) {
  const std::string name = fs::path(dir).lexically_normal().filename().string();
  if (!is_sentence_transformers_dir(dir)) return load_transformer(dir, name);

  const std::string mpath = dir + "/modules.json";
  auto modules = read_json_file(mpath);
  if (!modules.is_array() || modules.empty()) fail_file(mpath, "expected a non-empty list of modules");
  std::unique_ptr<TextEncoderModel> m;
  bool normalize = false;
  for (const auto& mod : modules) {
    std::string kind = module_kind(mod, mpath);
    std::string sub = dir + "/" + field<std::string>(mod, mpath, "path", "");
    if (kind == "Transformer") {
      if (m) fail_file(mpath, "more than one Transformer module");
      m = load_transformer(sub, name);
      m->info().format = "sentence-transformers";
      std::string sb_path = sub + "/sentence_bert_config.json";
      auto sb = optional_json(sb_path);
      m->info().max_len = std::min(m->info().max_len, field(sb, sb_path, "max_seq_length", m->info().max_len));
      m->set_lowercase_input(field(sb, sb_path, "do_lower_case", false));
      continue;
    }
    if (!m) fail_file(mpath, "the Transformer module must come first");
    if (kind == "Pooling") apply_pooling(*m, sub + "/config.json");
    else if (kind == "Dense") apply_dense(*m, sub);
    else if (kind == "Normalize") normalize = true;
    else fail_file(mpath, "module type \"" + kind + "\" is not supported (Transformer, Pooling, Dense, Normalize)");
  }
  if (!m) fail_file(mpath, "no Transformer module");
  m->info().normalize = normalize;
  return m;
}

}  // namespace clasp
