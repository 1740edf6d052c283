#include "speech/speech_branch.h"

#include <torch/torch.h>

#include "audio/mel.h"
#include "models/hf_speech_model.h"
#include "speech/mel_cache.h"
#include "speech/speech_encoder.h"
#include "util/error.h"

namespace clasp {

namespace {

class OwnSpeechBranch : public SpeechBranch {
 public:
  explicit OwnSpeechBranch(const std::string& dir) : enc_(load_speech_encoder(dir)) { enc_->eval(); }
  std::string kind() const override { return "clasp-speech"; }
  int dim() const override { return static_cast<int>(enc_->cfg.hidden); }
  size_t parameter_count() const override {
    size_t n = 0;
    for (const auto& p : enc_->parameters()) n += static_cast<size_t>(p.numel());
    return n;
  }
  std::vector<float> embed(const std::vector<float>& samples) override {
    torch::NoGradGuard ng;
    auto mel = mel_.compute(samples);
    if (mel.frames < 1) throw Error("audio of " + std::to_string(samples.size()) + " samples is too short for a log-mel frame");
    auto [x, len] = pad_mels({mel.data}, MelCache::kMels);
    auto v = SpeechEncoderImpl::mean_pool(enc_->forward(x, len)).contiguous();
    return std::vector<float>(v.data_ptr<float>(), v.data_ptr<float>() + v.numel());
  }

 private:
  SpeechEncoder enc_;
  MelExtractor mel_;
};

class HfSpeechBranch : public SpeechBranch {
 public:
  explicit HfSpeechBranch(const std::string& dir) : m_(HfSpeechModel::load(dir)) {}
  std::string kind() const override { return m_->config().model_type; }
  int dim() const override { return static_cast<int>(m_->hidden_size()); }
  size_t parameter_count() const override { return m_->parameter_count(); }
  std::vector<float> embed(const std::vector<float>& samples) override { return m_->mean_pooled(samples); }

 private:
  std::unique_ptr<HfSpeechModel> m_;
};

}  // namespace

std::unique_ptr<SpeechBranch> SpeechBranch::load(const std::string& dir) {
  if (is_hf_speech_dir(dir)) return std::make_unique<HfSpeechBranch>(dir);
  return std::make_unique<OwnSpeechBranch>(dir);  // its loader names what is wrong with dir
}

}  // namespace clasp
