#include "text/text_encoder_model.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "models/safetensors.h"
#include "text/sp_tokenizer.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json_file.h"
#include "text/unicode_case.h"

namespace fs = std::filesystem;

namespace clasp {

TextEncoderModel::TextEncoderModel(BertConfig cfg, std::unique_ptr<TextTokenizer> tok, TextEncoderInfo info)
    : cfg_(std::move(cfg)), tok_(std::move(tok)), info_(std::move(info)) {
  bert_ = BertModel(cfg_);
  info_.dim = static_cast<int>(cfg_.hidden_size);
  int64_t n = 0;
  for (const auto& p : bert_->parameters()) n += p.numel();
  info_.parameters = n;
}

TokenBatch TextEncoderModel::tokenize(const std::vector<std::string>& texts) const {
  std::vector<Encoded> enc;
  size_t L = 1;
  TokenBatch b;
  for (const auto& t : texts) {
    enc.push_back(tok_->encode(lowercase_input_ ? utf8_lower(t) : t, static_cast<size_t>(info_.max_len)));
    L = std::max(L, enc.back().ids.size());
    b.truncated += enc.back().truncated;
  }
  const int64_t B = static_cast<int64_t>(texts.size());
  b.ids = torch::full({B, static_cast<int64_t>(L)}, tok_->pad_id(), torch::kLong);
  b.mask = torch::zeros({B, static_cast<int64_t>(L)}, torch::kLong);
  auto ids = b.ids.accessor<int64_t, 2>();
  auto mask = b.mask.accessor<int64_t, 2>();
  for (int64_t i = 0; i < B; ++i)
    for (size_t j = 0; j < enc[i].ids.size(); ++j) {
      ids[i][static_cast<int64_t>(j)] = enc[i].ids[j];
      mask[i][static_cast<int64_t>(j)] = 1;
    }
  return b;
}

torch::Tensor TextEncoderModel::hidden(const TokenBatch& b) { return bert_->forward(b.ids, b.mask); }

void TextEncoderModel::set_dense(DenseHead head) {
  dense_ = std::move(head);
  info_.dim = static_cast<int>(dense_.linear->weight.size(0));
  int64_t n = 0;
  for (const auto& p : dense_.linear->parameters()) n += p.numel();
  info_.parameters += n;
}

torch::Tensor TextEncoderModel::forward(const TokenBatch& b) {
  auto h = hidden(b);
  torch::Tensor e;
  if (info_.pooling == "cls") {
    e = h.select(1, 0);
  } else if (info_.pooling == "max") {
    // Padding must never win the max (sentence-transformers uses -1e9 too).
    e = h.masked_fill(b.mask.unsqueeze(-1).eq(0), -1e9).amax(1);
  } else {
    e = mean_pool(h, b.mask);
  }
  if (dense_.linear) {
    e = dense_.linear->forward(e);
    if (dense_.activation == "tanh") e = torch::tanh(e);
    else if (dense_.activation == "relu") e = torch::relu(e);
    else if (dense_.activation == "gelu") e = torch::gelu(e);
  }
  return info_.normalize ? torch::nn::functional::normalize(e, torch::nn::functional::NormalizeFuncOptions().dim(1))
                         : e;
}

std::unique_ptr<TextEncoderModel> load_clasp_text_model(const std::string& dir) {
  std::string meta_path = dir + "/clasp_text.json";
  nlohmann::json meta = read_json_file(meta_path);
  TextEncoderInfo info;
  info.name = fs::path(dir).filename().string();
  info.format = "clasp";
  info.tokenizer = meta.value("tokenizer", "sentencepiece");
  info.pooling = meta.value("pooling", "mean");
  info.normalize = meta.value("normalize", true);
  info.max_len = meta.value("max_len", 128);
  if (info.tokenizer != "sentencepiece")
    fail_file(meta_path, "tokenizer \"" + info.tokenizer + "\" is not supported here (expected sentencepiece)");
  if (info.pooling != "mean" && info.pooling != "cls")
    fail_file(meta_path, "pooling must be mean or cls");
  auto cfg = BertConfig::from_json_file(dir + "/config.json");
  cfg.dropout = 0.0;
  auto tok = std::make_unique<SentencePieceTokenizer>(dir + "/spm.model", false);
  if (tok->vocab_size() != cfg.vocab_size)
    fail_file(dir + "/config.json", "vocab_size " + std::to_string(cfg.vocab_size) +
                                        " does not match spm.model's " + std::to_string(tok->vocab_size()));
  auto m = std::make_unique<TextEncoderModel>(cfg, std::move(tok), info);
  load_bert_weights(m->bert(), load_safetensors(dir + "/model.safetensors"), dir + "/model.safetensors");
  m->bert()->eval();
  return m;
}

void save_clasp_text_model(TextEncoderModel& m, const std::string& dir, const std::string& spm_model_path) {
  fs::create_directories(dir);
  std::map<std::string, torch::Tensor> w;
  for (const auto& p : m.bert()->named_parameters()) w[p.key()] = p.value().detach().to(torch::kFloat16);
  save_safetensors(dir + "/model.safetensors", w, {{"format", "pt"}});
  write_file_atomic(dir + "/config.json", m.config().to_json() + "\n");
  nlohmann::json meta = {{"tokenizer", "sentencepiece"}, {"pooling", m.info().pooling},
                         {"normalize", m.info().normalize}, {"max_len", m.info().max_len},
                         {"dim", m.info().dim}};
  write_file_atomic(dir + "/clasp_text.json", meta.dump(2) + "\n");
  if (fs::absolute(spm_model_path) != fs::absolute(dir + "/spm.model"))
    fs::copy_file(spm_model_path, dir + "/spm.model", fs::copy_options::overwrite_existing);
}

}  // namespace clasp
