#include "asr/hf_ctc_asr.h"

#include "models/hf_speech_model.h"
#include "text/unicode_case.h"
#include "util/error.h"

namespace clasp {

namespace {

std::unique_ptr<HfSpeechModel> load_with_head(const std::string& dir) {
  auto m = HfSpeechModel::load(dir);
  if (!m->has_ctc_head())
    throw Error(dir + ": no CTC head (lm_head.weight): a recogniser needs a *ForCTC checkpoint, e.g. "
                      "facebook/wav2vec2-large-960h or facebook/hubert-large-ls960-ft");
  return m;
}

}  // namespace

HfCtcAsr::HfCtcAsr(const std::string& dir) : model_(load_with_head(dir)), vocab_(CtcVocabulary::from_dir(dir)) {
  if (static_cast<int64_t>(vocab_.size()) > model_->config().vocab_size)
    throw Error(dir + "/vocab.json: " + std::to_string(vocab_.size()) + " tokens, but the CTC head has " +
                std::to_string(model_->config().vocab_size) + " outputs");
}

HfCtcAsr::~HfCtcAsr() = default;

std::vector<int64_t> HfCtcAsr::greedy_ids(const std::vector<float>& samples) const {
  int64_t frames = 0;
  auto logits = model_->ctc_logits(model_->preprocess(samples), &frames);
  return CtcVocabulary::best_path(logits, static_cast<size_t>(frames),
                                  static_cast<size_t>(model_->config().vocab_size));
}

std::string HfCtcAsr::transcribe(const std::vector<float>& samples) {
  // Too short for the feature encoder (under about 25 ms): nothing heard.
  if (model_->config().frames_for(static_cast<int64_t>(samples.size())) < 1) return "";
  return utf8_lower(vocab_.decode(greedy_ids(samples)));
}

}  // namespace clasp
