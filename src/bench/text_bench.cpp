#include "bench/text_bench.h"

#include <chrono>

#include "text/sentence_encoder.h"
#include "text/sp_tokenizer.h"
#include "text/text_encoder_model.h"

namespace clasp {

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::unique_ptr<TextEncoderModel> base_size_model() {
  BertConfig c;
  c.vocab_size = 8000;
  c.hidden_size = 768;
  c.num_hidden_layers = 12;
  c.num_attention_heads = 12;
  c.intermediate_size = 3072;
  c.max_position_embeddings = 512;
  c.dropout = 0.0;
  TextEncoderInfo info;
  info.name = "base-size (random weights)";
  info.format = "clasp";
  info.tokenizer = "sentencepiece";
  info.pooling = "mean";
  info.max_len = 128;
  auto tok = std::make_unique<SentencePieceTokenizer>(default_text_encoder_dir() + "/spm.model", false);
  auto m = std::make_unique<TextEncoderModel>(c, std::move(tok), info);
  m->bert()->eval();
  return m;
}

}  // namespace

TextBenchResult bench_text_encoder(const std::string& which, const std::vector<std::string>& sentences, size_t batch) {
  auto m = which == "base" ? base_size_model() : load_clasp_text_model(which);
  torch::NoGradGuard ng;
  auto run = [&](size_t from, size_t to) {
    std::vector<std::string> part(sentences.begin() + from, sentences.begin() + to);
    return m->forward(m->tokenize(part));
  };
  run(0, std::min(batch, sentences.size()));
  double t = now_s();
  for (size_t s = 0; s < sentences.size(); s += batch) run(s, std::min(sentences.size(), s + batch));
  TextBenchResult r;
  r.wall_s = now_s() - t;
  r.name = m->info().name;
  r.parameters = m->info().parameters;
  r.sentences = sentences.size();
  r.per_s = static_cast<double>(sentences.size()) / r.wall_s;
  return r;
}

}  // namespace clasp
