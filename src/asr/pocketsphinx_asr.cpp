#include "asr/pocketsphinx_asr.h"

#include <pocketsphinx.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>

#include "util/error.h"

namespace clasp {

struct PocketsphinxAsr::Impl {
  cmd_ln_t* config = nullptr;
  ps_decoder_t* ps = nullptr;
};

std::string PocketsphinxAsr::default_model_dir() { return "/usr/share/pocketsphinx/model/en-us"; }

PocketsphinxAsr::PocketsphinxAsr(const std::string& dir) : impl_(std::make_unique<Impl>()) {
  for (const char* f : {"/en-us", "/en-us.lm.bin", "/cmudict-en-us.dict"})
    if (!std::filesystem::exists(dir + f))
      throw Error(dir + f + ": PocketSphinx model file missing (apt install pocketsphinx-en-us)");
  const std::string hmm = dir + "/en-us", lm = dir + "/en-us.lm.bin", dict = dir + "/cmudict-en-us.dict";
  impl_->config = cmd_ln_init(nullptr, ps_args(), TRUE, "-hmm", hmm.c_str(), "-lm", lm.c_str(), "-dict",
                              dict.c_str(), "-logfn", "/dev/null", nullptr);
  if (!impl_->config) throw Error("PocketSphinx: cannot build its configuration for " + dir);
  impl_->ps = ps_init(impl_->config);
  if (!impl_->ps) {
    cmd_ln_free_r(impl_->config);
    throw Error("PocketSphinx: cannot load the decoder from " + dir);
  }
}

PocketsphinxAsr::~PocketsphinxAsr() {
  if (impl_->ps) ps_free(impl_->ps);
  if (impl_->config) cmd_ln_free_r(impl_->config);
}

std::string PocketsphinxAsr::transcribe(const std::vector<float>& x) {
  std::vector<int16_t> pcm(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    pcm[i] = static_cast<int16_t>(std::lround(std::clamp(x[i], -1.0f, 1.0f) * 32767.0f));
  if (ps_start_utt(impl_->ps) < 0) throw Error("PocketSphinx: cannot start an utterance");
  ps_process_raw(impl_->ps, pcm.data(), pcm.size(), FALSE, TRUE);
  ps_end_utt(impl_->ps);
  int32 score = 0;
  const char* hyp = ps_get_hyp(impl_->ps, &score);
  return hyp ? hyp : "";
}

}  // namespace clasp
