#include "speech/reference_model.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "models/hf_speech_model.h"
#include "models/reference_fusion.h"
#include "models/safetensors.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json_file.h"

namespace fs = std::filesystem;

namespace clasp {

void import_reference_model(const ReferenceImportOptions& opt) {
  FusionConfig cfg;
  auto fusion = load_reference_fusion(opt.checkpoint, &cfg);
  if (!is_hf_speech_dir(opt.speech_model))
    throw Error(opt.speech_model + ": not a Hugging Face HuBERT / wav2vec2 directory (the reference's speech branch "
                                   "is HuBERT-large-ls960-ft)");
  const auto speech = HfSpeechConfig::from_dir(opt.speech_model);
  if (speech.hidden_size != cfg.speech_dim)
    throw Error(opt.checkpoint + ": its speech branch takes " + std::to_string(cfg.speech_dim) + "-d features, but " +
                opt.speech_model + " gives " + std::to_string(speech.hidden_size) + "-d ones");
  if (!fs::is_directory(opt.text_model)) throw Error(opt.text_model + ": text encoder directory not found");
  fs::create_directories(opt.out_dir);
  save_safetensors(opt.out_dir + "/fusion.safetensors", module_tensors(*fusion));  // written atomically
  nlohmann::json j = {{"format", "clasp-reference-fusion"},
                      {"fusion", cfg.kind},
                      {"speech_dim", cfg.speech_dim},
                      {"image_dim", cfg.spectrogram_dim},
                      {"out_dim", cfg.out_dim},
                      {"speech_model", fs::absolute(opt.speech_model).lexically_normal().string()},
                      {"text_model", fs::absolute(opt.text_model).lexically_normal().string()},
                      {"normalize_inputs", opt.normalize_inputs},
                      {"source", fs::absolute(opt.checkpoint).lexically_normal().string()}};
  write_file_atomic(opt.out_dir + "/reference.json", j.dump(2) + "\n");
}

struct ReferenceAudioEmbedder::Impl {
  FusionConfig cfg;
  Fusion fusion{nullptr};
  std::unique_ptr<HfSpeechModel> speech;
  std::string text_model;
  bool normalize = true;
};

ReferenceAudioEmbedder::ReferenceAudioEmbedder(const std::string& dir) : impl_(std::make_unique<Impl>()) {
  const std::string path = dir + "/reference.json";
  auto j = read_json_file(path);
  if (!j.is_object() || j.value("format", "") != "clasp-reference-fusion")
    throw Error(path + ": not a converted reference model (clasp reference import writes one)");
  try {
    impl_->cfg.kind = j.at("fusion").get<std::string>();
    impl_->cfg.speech_dim = j.at("speech_dim").get<int64_t>();
    impl_->cfg.spectrogram_dim = j.at("image_dim").get<int64_t>();
    impl_->cfg.out_dim = j.at("out_dim").get<int64_t>();
    impl_->text_model = j.at("text_model").get<std::string>();
    impl_->normalize = j.value("normalize_inputs", true);
    impl_->speech = HfSpeechModel::load(j.at("speech_model").get<std::string>());
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": " + e.what());
  }
  if (impl_->speech->hidden_size() != impl_->cfg.speech_dim)
    throw Error(path + ": the speech model gives " + std::to_string(impl_->speech->hidden_size()) +
                "-d features, the fusion takes " + std::to_string(impl_->cfg.speech_dim));
  ReferenceFusion r{impl_->cfg, load_safetensors(dir + "/fusion.safetensors")};
  impl_->fusion = make_reference_fusion(r, dir + "/fusion.safetensors");
}

ReferenceAudioEmbedder::~ReferenceAudioEmbedder() = default;
size_t ReferenceAudioEmbedder::image_dim() const { return static_cast<size_t>(impl_->cfg.spectrogram_dim); }
size_t ReferenceAudioEmbedder::dim() const { return static_cast<size_t>(impl_->cfg.out_dim); }
const std::string& ReferenceAudioEmbedder::text_model() const { return impl_->text_model; }

std::vector<float> ReferenceAudioEmbedder::speech_feature(const std::vector<float>& samples) const {
  // The reference divides the waveform by its peak before the feature extractor.
  float peak = 0;
  for (float v : samples) peak = std::max(peak, std::abs(v));
  std::vector<float> x = samples;
  if (peak > 0)
    for (auto& v : x) v /= peak;
  return impl_->speech->mean_pooled(x);
}

std::vector<float> ReferenceAudioEmbedder::embed(const std::vector<float>& samples,
                                                 const std::vector<float>& image_feature) const {
  if (image_feature.size() != image_dim())
    throw Error("the image feature has " + std::to_string(image_feature.size()) + " values; this model takes " +
                std::to_string(image_dim()) + " (EfficientNet-B7's logits)");
  torch::NoGradGuard ng;
  auto s = torch::tensor(speech_feature(samples)).unsqueeze(0);
  auto i = torch::tensor(image_feature).unsqueeze(0);
  if (impl_->normalize) {
    s = torch::nn::functional::normalize(s, torch::nn::functional::NormalizeFuncOptions().dim(1));
    i = torch::nn::functional::normalize(i, torch::nn::functional::NormalizeFuncOptions().dim(1));
  }
  auto y = torch::nn::functional::normalize(impl_->fusion->forward(s, i, {}),
                                            torch::nn::functional::NormalizeFuncOptions().dim(1))[0].contiguous();
  return std::vector<float>(y.data_ptr<float>(), y.data_ptr<float>() + y.numel());
}

}  // namespace clasp
