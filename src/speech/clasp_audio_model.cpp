#include "speech/clasp_audio_model.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "models/safetensors.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json_file.h"

namespace fs = std::filesystem;

namespace clasp {

ClaspModelConfig ClaspModelConfig::from_json_file(const std::string& path) {
  auto j = read_json_file(path);
  ClaspModelConfig c;
  try {
    c.fusion = j.value("fusion", c.fusion);
    c.use_speech = j.value("use_speech", c.use_speech);
    c.use_spectrogram = j.value("use_spectrogram", c.use_spectrogram);
    c.spectrogram_channels = j.value("spectrogram_channels", c.spectrogram_channels);
    c.out_dim = j.at("out_dim").get<int64_t>();
    c.speech_encoder = j.value("speech_encoder", c.speech_encoder);
    c.text_encoder = j.value("text_encoder", c.text_encoder);
    c.model_id = j.value("model_id", c.model_id);
  } catch (const nlohmann::json::exception& e) {
    fail_file(path, std::string("bad or missing field: ") + e.what());
  }
  if (c.fusion != "concat" && c.fusion != "gating") fail_file(path, "fusion must be \"concat\" or \"gating\"");
  if (!c.use_speech && !c.use_spectrogram) fail_file(path, "use_speech and use_spectrogram cannot both be false");
  return c;
}

std::string ClaspModelConfig::to_json() const {
  nlohmann::json j = {{"model_type", "clasp"},       {"model_id", model_id},
                      {"fusion", fusion},            {"use_speech", use_speech},
                      {"use_spectrogram", use_spectrogram}, {"spectrogram_channels", spectrogram_channels},
                      {"out_dim", out_dim},          {"speech_encoder", speech_encoder},
                      {"text_encoder", text_encoder}};
  return j.dump(2);
}

ClaspAudioModelImpl::ClaspAudioModelImpl(const ClaspModelConfig& c, SpeechEncoder sp) : cfg(c), speech(std::move(sp)) {
  FusionConfig fc;
  fc.kind = c.fusion;
  fc.out_dim = c.out_dim;
  if (c.use_speech) {
    if (!speech) throw Error("CLASP model: the speech branch needs a speech encoder");
    fc.speech_dim = speech->cfg.hidden;
    for (auto& p : speech->parameters()) p.set_requires_grad(false);
    speech->eval();
  }
  if (c.use_spectrogram) {
    cnn = register_module("cnn", SpectrogramCnn(c.spectrogram_channels));
    fc.spectrogram_dim = cnn->out_dim();
  }
  fusion = register_module("fusion", Fusion(fc));
  // CLIP-style learnable temperature, initialised at 1/0.07.
  logit_scale = register_parameter("logit_scale", torch::tensor({std::log(1 / 0.07)}));
}

torch::Tensor ClaspAudioModelImpl::speech_features(const torch::Tensor& mel, const torch::Tensor& lengths) {
  if (!speech) return torch::zeros({mel.size(0), 0});
  torch::NoGradGuard ng;
  return SpeechEncoderImpl::mean_pool(speech->forward(mel, lengths));
}

torch::Tensor ClaspAudioModelImpl::normalise_mel(const torch::Tensor& mel, const torch::Tensor& lengths) {
  auto valid = torch::arange(mel.size(1)).unsqueeze(0).lt(lengths.unsqueeze(1)).to(mel.dtype()).unsqueeze(-1);
  auto n = valid.sum(1, true).clamp_min(1);
  auto mean = (mel * valid).sum(1, true) / n;
  auto var = (((mel - mean) * valid).pow(2)).sum(1, true) / n;
  return (mel - mean) / (var + 1e-5).sqrt() * valid;
}

torch::Tensor ClaspAudioModelImpl::embed(const torch::Tensor& speech_feat, const torch::Tensor& mel,
                                         const torch::Tensor& lengths) {
  torch::Tensor spec;
  constexpr int64_t kChunk = 16;
  if (cnn && mel.size(0) <= kChunk) {
    spec = cnn->forward(normalise_mel(mel, lengths), lengths);
  } else if (cnn) {
    // Big batches go through the CNN in chunks of similar length, each cut to
    // its longest clip: much less padding, and activations small enough for
    // the allocator to reuse (whole-batch tensors of ~0.5 GB were mapped and
    // page-faulted in anew at every op). In training, batch norm then sees
    // chunk statistics ("ghost" batch norm); in eval the output is the same.
    auto order = std::get<1>(lengths.sort(0, /*descending=*/true));
    std::vector<torch::Tensor> parts;
    for (int64_t s = 0; s < order.size(0); s += kChunk) {
      auto idx = order.slice(0, s, std::min(order.size(0), s + kChunk));
      auto len = lengths.index_select(0, idx);
      auto m = mel.index_select(0, idx).slice(1, 0, len.max().item<int64_t>());
      parts.push_back(cnn->forward(normalise_mel(m, len), len));
    }
    spec = torch::empty_like(torch::cat(parts)).index_copy_(0, order, torch::cat(parts));
  }
  auto e = fusion->forward(speech_feat, spec);
  return torch::nn::functional::normalize(e, torch::nn::functional::NormalizeFuncOptions().dim(1));
}

void save_clasp_model(ClaspAudioModel& m, const std::string& dir) {
  fs::create_directories(dir);
  std::map<std::string, torch::Tensor> w;
  for (const auto& p : m->named_parameters()) w[p.key()] = p.value().detach().to(torch::kFloat16);
  for (const auto& b : m->named_buffers()) w[b.key()] = b.value().detach().to(torch::kFloat32);
  w["logit_scale"] = m->logit_scale.detach().to(torch::kFloat32);
  save_safetensors(dir + "/model.safetensors", w, {{"format", "pt"}});
  write_file_atomic(dir + "/clasp.json", m->cfg.to_json() + "\n");
}

ClaspAudioModel load_clasp_model(const std::string& dir, bool load_weights) {
  if (!fs::exists(dir + "/clasp.json")) throw Error(dir + ": not a CLASP model directory (no clasp.json)");
  auto cfg = ClaspModelConfig::from_json_file(dir + "/clasp.json");
  SpeechEncoder sp{nullptr};
  if (cfg.use_speech) sp = load_speech_encoder((fs::path(dir) / cfg.speech_encoder).lexically_normal().string());
  if (!load_weights) torch::manual_seed(1);
  ClaspAudioModel m(cfg, sp);
  if (!load_weights) {
    m->eval();
    return m;
  }
  auto w = load_safetensors(dir + "/model.safetensors");
  torch::NoGradGuard ng;
  auto copy = [&](const std::string& name, torch::Tensor t) {
    auto it = w.find(name);
    if (it == w.end()) throw Error(dir + "/model.safetensors: missing tensor \"" + name + "\"");
    if (it->second.sizes() != t.sizes())
      throw Error(dir + "/model.safetensors: tensor \"" + name + "\" has the wrong shape");
    t.copy_(it->second.to(t.dtype()));
  };
  for (auto& p : m->named_parameters()) copy(p.key(), p.value());
  for (auto& b : m->named_buffers()) copy(b.key(), b.value());
  m->eval();
  return m;
}

std::string clasp_text_encoder_dir(const std::string& dir) {
  auto cfg = ClaspModelConfig::from_json_file(dir + "/clasp.json");
  return (fs::path(dir) / cfg.text_encoder).lexically_normal().string();
}

}  // namespace clasp
