#include "speech/speech_encoder.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "models/safetensors.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json_file.h"

namespace clasp {

SpeechEncoderConfig SpeechEncoderConfig::from_json_file(const std::string& path) {
  auto j = read_json_file(path);
  if (j.value("model_type", "") != "clasp-speech")
    fail_file(path, "model_type must be \"clasp-speech\"");
  SpeechEncoderConfig c;
  try {
    c.n_mels = j.at("n_mels");
    c.hidden = j.at("hidden_size");
    c.layers = j.at("num_hidden_layers");
    c.heads = j.at("num_attention_heads");
    c.ff = j.at("intermediate_size");
    c.phonemes = j.value("phonemes", std::vector<std::string>{});
    c.mel_floor_db = j.value("mel_floor_db", 0.0);
  } catch (const nlohmann::json::exception& e) {
    fail_file(path, std::string("bad or missing field: ") + e.what());
  }
  c.ctc_classes = c.phonemes.empty() ? 0 : static_cast<int64_t>(c.phonemes.size()) + 1;
  c.dropout = 0.0;
  if (const char* v = std::getenv("CLASP_MEL_FLOOR_DB")) c.mel_floor_db = std::atof(v);
  if (c.mel_floor_db < 0 || c.mel_floor_db > 200) fail_file(path, "mel_floor_db must be between 0 (off) and 200 dB");
  // Sizes a trained encoder can have; anything else is a damaged or hostile
  // config, refused by name before libtorch tries to allocate it.
  auto in_range = [&](const char* field, int64_t v, int64_t lo, int64_t hi) {
    if (v < lo || v > hi)
      fail_file(path, std::string(field) + " must be " + std::to_string(lo) + " to " + std::to_string(hi) + ", got " +
                          std::to_string(v));
  };
  in_range("n_mels", c.n_mels, 80, 80);  // the front end computes 80 (docs/audio.md)
  in_range("hidden_size", c.hidden, 8, 4096);
  in_range("num_hidden_layers", c.layers, 1, 64);
  in_range("num_attention_heads", c.heads, 1, 64);
  in_range("intermediate_size", c.ff, 1, 65536);
  in_range("phonemes (count)", static_cast<int64_t>(c.phonemes.size()), 0, 4096);
  if (c.hidden % c.heads != 0 || c.hidden % 2 != 0)
    fail_file(path, "hidden_size must be even and divisible by num_attention_heads");
  return c;
}

std::string SpeechEncoderConfig::to_json() const {
  nlohmann::json j = {{"model_type", "clasp-speech"}, {"n_mels", n_mels},
                      {"hidden_size", hidden},        {"num_hidden_layers", layers},
                      {"num_attention_heads", heads}, {"intermediate_size", ff},
                      {"frame_stack", 4},             {"mel_floor_db", mel_floor_db},
                      {"frame_rate_hz", 25},          {"input", "log-mel, docs/audio.md"},
                      {"phonemes", phonemes}};
  return j.dump(2);
}

SpeechLayerImpl::SpeechLayerImpl(int64_t hidden, int64_t h, int64_t ff, double dropout) : heads(h) {
  norm1 = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hidden})));
  norm2 = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hidden})));
  qkv = register_module("qkv", torch::nn::Linear(hidden, 3 * hidden));
  out = register_module("out", torch::nn::Linear(hidden, hidden));
  ff1 = register_module("ff1", torch::nn::Linear(hidden, ff));
  ff2 = register_module("ff2", torch::nn::Linear(ff, hidden));
  drop = register_module("drop", torch::nn::Dropout(dropout));
}

torch::Tensor SpeechLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& pad_mask) {
  const auto B = x.size(0), T = x.size(1), H = x.size(2), d = H / heads;
  auto q = qkv->forward(norm1->forward(x)).view({B, T, 3, heads, d}).permute({2, 0, 3, 1, 4});
  auto scores = torch::matmul(q[0], q[1].transpose(-1, -2)) / std::sqrt(static_cast<double>(d));
  scores = scores.masked_fill(pad_mask.eq(0).view({B, 1, 1, T}), -1e9);
  auto ctx = torch::matmul(torch::softmax(scores, -1), q[2]).permute({0, 2, 1, 3}).reshape({B, T, H});
  auto y = x + drop->forward(out->forward(ctx));
  return y + drop->forward(ff2->forward(drop->forward(torch::gelu(ff1->forward(norm2->forward(y))))));
}

SpeechEncoderImpl::SpeechEncoderImpl(const SpeechEncoderConfig& c) : cfg(c) {
  proj1 = register_module("proj1", torch::nn::Linear(4 * c.n_mels, c.hidden));
  proj2 = register_module("proj2", torch::nn::Linear(c.hidden, c.hidden));
  layers = register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.layers; ++i) layers->push_back(SpeechLayer(c.hidden, c.heads, c.ff, c.dropout));
  final_norm = register_module("final_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hidden})));
  if (c.ctc_classes > 0) ctc_head = register_module("ctc_head", torch::nn::Linear(c.hidden, c.ctc_classes));
}

torch::Tensor SpeechEncoderImpl::output_lengths(const torch::Tensor& frames) {
  // Four frames per output frame, the last group padded.
  return torch::div(frames + 3, 4, "floor");
}

torch::Tensor SpeechEncoderImpl::front_end(torch::Tensor mel, bool spec_augment) {
  // Per-utterance mean/variance normalisation per mel band: loudness and
  // voice timbre shift the log-mel; the content is in its shape.
  if (cfg.mel_floor_db > 0)  // log-mel is ln(power): dB * ln(10) / 10
    mel = torch::maximum(mel, mel.max() - cfg.mel_floor_db * std::log(10.0) / 10.0);
  auto mean = mel.mean(0, true);
  mel = (mel - mean) / (mel.var(0, false, true) + 1e-5).sqrt();
  const int64_t T = mel.size(0);
  if (spec_augment) {
    auto keep = torch::ones_like(mel);
    for (int k = 0; k < 2; ++k) {
      int64_t w = torch::randint(0, 13, {1}).item<int64_t>();
      keep.narrow(1, torch::randint(0, cfg.n_mels - w + 1, {1}).item<int64_t>(), w).zero_();
      int64_t tw = std::min<int64_t>(torch::randint(0, 41, {1}).item<int64_t>(), T / 5);
      keep.narrow(0, torch::randint(0, std::max<int64_t>(1, T - tw), {1}).item<int64_t>(), tw).zero_();
    }
    mel = mel * keep;
  }
  // Stack 4 consecutive frames (40 ms) into one 320-d vector: 25 frames/s.
  const int64_t Tp = (T + 3) / 4;
  mel = torch::constant_pad_nd(mel, {0, 0, 0, Tp * 4 - T}).reshape({Tp, 4 * cfg.n_mels});
  auto x = torch::gelu(proj2->forward(torch::gelu(proj1->forward(mel))));  // [T', H]
  // Fixed sinusoidal positions. (Convolutions here, with a LayerNorm or a
  // positional convolution after them, made libtorch 1.13's CPU backward
  // return huge weight gradients that differed from run to run; frame
  // stacking + Linear trains cleanly. tests/test_speech.cpp guards this.)
  const int64_t H = x.size(1);
  auto pos = torch::arange(Tp, torch::kFloat).unsqueeze(1);
  auto freq = torch::exp(torch::arange(0, H, 2, torch::kFloat) * (-std::log(10000.0) / static_cast<double>(H)));
  auto pe = torch::zeros({Tp, H});
  pe.index_put_({torch::indexing::Slice(), torch::indexing::Slice(0, torch::indexing::None, 2)}, torch::sin(pos * freq));
  pe.index_put_({torch::indexing::Slice(), torch::indexing::Slice(1, torch::indexing::None, 2)}, torch::cos(pos * freq));
  return (x + pe).contiguous();
}

SpeechOutput SpeechEncoderImpl::forward(torch::Tensor mel, const torch::Tensor& lengths, bool spec_augment) {
  // The convolutional front end runs on each clip's own frames, never on
  // padding: padding would leak into the last frames through the kernels,
  // and libtorch 1.13's CPU backward gave garbage (1e20) gradients for the
  // padded batch. The transformer then runs on the padded batch with a mask.
  const int64_t B = mel.size(0);
  SpeechOutput o;
  o.lengths = output_lengths(lengths.clamp_min(1));
  const int64_t Tmax = o.lengths.max().item<int64_t>();
  std::vector<torch::Tensor> rows;
  for (int64_t b = 0; b < B; ++b) {
    int64_t n = std::max<int64_t>(1, lengths[b].item<int64_t>());
    auto f = front_end(mel[b].narrow(0, 0, n), spec_augment);
    rows.push_back(torch::constant_pad_nd(f, {0, 0, 0, Tmax - f.size(0)}));
  }
  auto x = torch::stack(rows);
  o.mask = torch::arange(Tmax).unsqueeze(0).lt(o.lengths.unsqueeze(1)).to(torch::kLong);
  for (auto& l : *layers) x = l->as<SpeechLayer>()->forward(x, o.mask);
  o.hidden = final_norm->forward(x);
  return o;
}

torch::Tensor SpeechEncoderImpl::ctc_log_probs(const SpeechOutput& o) {
  if (!ctc_head) throw Error("speech encoder has no CTC head (no phoneme symbols in its config)");
  return torch::log_softmax(ctc_head->forward(o.hidden), -1).transpose(0, 1);
}

torch::Tensor SpeechEncoderImpl::mean_pool(const SpeechOutput& o) {
  auto m = o.mask.to(o.hidden.dtype()).unsqueeze(-1);
  return (o.hidden * m).sum(1) / m.sum(1).clamp_min(1);
}

void save_speech_encoder(SpeechEncoder& m, const std::string& dir) {
  std::filesystem::create_directories(dir);
  std::map<std::string, torch::Tensor> w;
  for (const auto& p : m->named_parameters()) w[p.key()] = p.value().detach().to(torch::kFloat16);
  save_safetensors(dir + "/model.safetensors", w, {{"format", "pt"}});
  write_file_atomic(dir + "/config.json", m->cfg.to_json() + "\n");
}

SpeechEncoder load_speech_encoder(const std::string& dir) {
  auto cfg = SpeechEncoderConfig::from_json_file(dir + "/config.json");
  SpeechEncoder m(cfg);
  copy_into_module(*m, load_safetensors(dir + "/model.safetensors", &m->weights_hash), dir + "/model.safetensors");
  m->eval();
  return m;
}

std::pair<torch::Tensor, torch::Tensor> pad_mels(const std::vector<std::vector<float>>& mels, int64_t n_mels) {
  int64_t T = 1;
  for (const auto& m : mels) T = std::max<int64_t>(T, static_cast<int64_t>(m.size()) / n_mels);
  auto x = torch::zeros({static_cast<int64_t>(mels.size()), T, n_mels});
  auto len = torch::zeros({static_cast<int64_t>(mels.size())}, torch::kLong);
  for (size_t i = 0; i < mels.size(); ++i) {
    int64_t f = static_cast<int64_t>(mels[i].size()) / n_mels;
    len[static_cast<int64_t>(i)] = f;
    if (f > 0)
      x[static_cast<int64_t>(i)].narrow(0, 0, f).copy_(
          torch::from_blob(const_cast<float*>(mels[i].data()), {f, n_mels}));
  }
  return {x, len};
}

std::vector<int64_t> greedy_decode(const torch::Tensor& log_probs_tc, int64_t len) {
  auto best = log_probs_tc.narrow(0, 0, len).argmax(-1);
  auto acc = best.accessor<int64_t, 1>();
  std::vector<int64_t> out;
  int64_t prev = -1;
  for (int64_t t = 0; t < len; ++t) {
    if (acc[t] != prev && acc[t] != 0) out.push_back(acc[t]);
    prev = acc[t];
  }
  return out;
}

PhonePosteriors keep_top_posteriors(const torch::Tensor& log_probs_tc, int64_t len, int top) {
  const int64_t classes = log_probs_tc.size(1);
  if (classes > 256) throw Error("phone posteriors: " + std::to_string(classes) + " CTC classes, at most 256");
  PhonePosteriors p;
  p.classes = static_cast<int>(classes);
  p.top = static_cast<int>(std::clamp<int64_t>(top, 1, classes));
  auto [val, idx] = log_probs_tc.narrow(0, 0, std::min(len, log_probs_tc.size(0))).to(torch::kFloat).topk(p.top, -1);
  val = val.contiguous();
  idx = idx.to(torch::kUInt8).contiguous();
  p.ids.assign(idx.data_ptr<uint8_t>(), idx.data_ptr<uint8_t>() + idx.numel());
  p.logp.assign(val.data_ptr<float>(), val.data_ptr<float>() + val.numel());
  return p;
}

}  // namespace clasp
